// RedisConnection: one connection to a Redis server through hiredis's
// asynchronous API, driven by Asio, never blocking an I/O thread.
//
// DESIGN
// Debian's hiredis (0.14) brings no Asio adapter, no TLS and no timeouts on
// its asynchronous API, so this is the adapter: the context's socket is an
// Asio stream descriptor (not owning the fd: hiredis closes it), hiredis's
// addRead/addWrite hooks arm async_wait(read/write) on it, and each
// readiness calls redisAsyncHandleRead/Write. Everything touching the
// context runs on one strand. A command's reply is copied out (RedisReply)
// and its callback posted to the io_context, off the strand.
//
// Timeouts: replies come back in the order sent, so one timer watches the
// oldest command in flight; past its deadline the connection is deemed
// dead: every command in flight fails (kFailed, "timed out": it may or may
// not have run) and the connection is dropped and dialled again. A connect
// has its own deadline. A command issued while not connected fails at once
// (kFailed, "not connected"): the caller decides (the store answers
// `unavailable`), nothing is queued behind a dead server.
//
// Reconnect: after a failed connect or a lost connection, the next dial
// waits reconnect_min, doubling up to reconnect_max; a success resets it.
// on_up runs after each successful connect (the store reloads what it
// mirrors); subscriptions (a connection used for SUBSCRIBE only: Redis
// takes no other command on it) are sent again on every connect, so
// messages published while it was down are lost: on_up is where to resync.
//
// Lifetime: create() returns a shared_ptr; pending handlers keep it alive.
// stop() dials no more and closes once every command given to command()
// has had its callback (those it issues included), or at command_timeout;
// it must be called, and the handlers run (the io_context running), before
// the io_context is destroyed.
//
// Thread safety: every member may be called from any thread. Command
// callbacks run on the io_context's threads; subscription handlers and
// on_up run on the connection's strand, in order (keep them short).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "daemon/store/redis/redis_endpoint.hpp"
#include "daemon/store/redis/redis_reply.hpp"

struct redisAsyncContext;

namespace xiaoer::store::redis {

struct RedisConnectionOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds command_timeout{1000};
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  std::string name = "redis";  // in log lines ("store", "store subscriber")
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  using Callback = std::function<void(RedisReply)>;
  using MessageHandler = std::function<void(const std::string& payload)>;

  static std::shared_ptr<RedisConnection> create(boost::asio::io_context& ioc, RedisConnectionOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Dials, and keeps dialling after every loss until stop().
  void start();
  // Dials no more; closes when nothing is in flight (see Lifetime).
  void stop();

  // Sends the command (binary-safe arguments); `done` runs exactly once,
  // with the reply or a kFailed one.
  void command(std::vector<std::string> args, Callback done);
  // Subscribes to `channel` now (when connected) and after every reconnect.
  void subscribe(std::string channel, MessageHandler handler);
  // Runs after every successful connect (and its SELECT), on the strand.
  void set_on_up(std::function<void()> on_up);

  bool connected() const { return connected_.load(std::memory_order_acquire); }
  // Commands given to command() whose callback has not run yet.
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  struct Link;
  struct Pending {
    Callback done;
    std::chrono::steady_clock::time_point deadline;
  };

  RedisConnection(boost::asio::io_context& ioc, RedisConnectionOptions options);

  // All on the strand.
  void dial();
  void on_connected(bool ok);
  void on_lost(const std::string& why);
  void drop(const std::string& why);  // fails what is in flight, frees the context
  void close_when_idle();             // after stop(): drops once nothing is in flight
  void schedule_dial();
  void arm_timeout();
  void on_timeout();
  void send(std::vector<std::string> args, Callback done);
  void send_subscribe(std::uint64_t id, const std::string& channel);
  void complete(Callback done, RedisReply reply);
  void arm_read(const std::shared_ptr<Link>& link);
  void arm_write(const std::shared_ptr<Link>& link);

  // hiredis's callbacks (C functions) and event hooks.
  static void reply_callback(redisAsyncContext* context, void* reply, void* privdata);
  static void message_callback(redisAsyncContext* context, void* reply, void* privdata);
  static void connect_callback(const redisAsyncContext* context, int status);
  static void disconnect_callback(const redisAsyncContext* context, int status);
  static void add_read(void* data);
  static void del_read(void* data);
  static void add_write(void* data);
  static void del_write(void* data);
  static void cleanup(void* data);

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  const RedisConnectionOptions options_;
  boost::asio::steady_timer dial_timer_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer timeout_timer_;
  std::atomic<bool> connected_{false};
  std::atomic<std::size_t> in_flight_{0};

  // Strand only.
  redisAsyncContext* context_ = nullptr;
  std::shared_ptr<Link> link_;
  bool stopped_ = false;
  bool timeout_armed_ = false;
  std::chrono::milliseconds backoff_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, Pending> pending_;  // in flight, by id: the order sent
  std::map<std::uint64_t, std::pair<std::string, MessageHandler>> subscriptions_;
  std::function<void()> on_up_;
};

}  // namespace xiaoer::store::redis
