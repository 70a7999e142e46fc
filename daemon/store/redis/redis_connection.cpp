#include "daemon/store/redis/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>

namespace xiaoer::store::redis {

// One hiredis context's socket: hiredis's event hooks point here. It
// outlives the context (handlers waiting on the descriptor hold it), and
// `context` is null once hiredis freed the context.
struct RedisConnection::Link {
  explicit Link(boost::asio::io_context& ioc) : descriptor(ioc) {}
  boost::asio::posix::stream_descriptor descriptor;
  RedisConnection* owner = nullptr;
  redisAsyncContext* context = nullptr;
  bool reading = false, writing = false;          // what hiredis asked for
  bool read_armed = false, write_armed = false;   // an async_wait is pending
};

std::shared_ptr<RedisConnection> RedisConnection::create(boost::asio::io_context& ioc,
                                                         RedisConnectionOptions options) {
  return std::shared_ptr<RedisConnection>(new RedisConnection(ioc, std::move(options)));
}

RedisConnection::RedisConnection(boost::asio::io_context& ioc, RedisConnectionOptions options)
    : ioc_(ioc),
      strand_(boost::asio::make_strand(ioc)),
      options_(std::move(options)),
      dial_timer_(ioc),
      connect_timer_(ioc),
      timeout_timer_(ioc),
      backoff_(options_.reconnect_min) {}

RedisConnection::~RedisConnection() {
  // Only when stop() never ran: what is in flight is dropped with it.
  pending_.clear();
  if (redisAsyncContext* context = std::exchange(context_, nullptr)) redisAsyncFree(context);
}

void RedisConnection::start() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (!self->stopped_ && self->context_ == nullptr) self->dial();
  });
}

void RedisConnection::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->dial_timer_.cancel();
    self->connect_timer_.cancel();
    self->close_when_idle();
  });
}

void RedisConnection::close_when_idle() {
  // What was sent before stop() (a login's session, a resolve) still gets
  // its reply, within command_timeout (on_timeout drops then): a drain
  // loses nothing that was already on its way.
  if (!stopped_ || (connected() && in_flight_.load(std::memory_order_acquire) != 0)) return;
  timeout_timer_.cancel();
  drop("the redis connection was stopped");
}

void RedisConnection::command(std::vector<std::string> args, Callback done) {
  in_flight_.fetch_add(1, std::memory_order_relaxed);
  Callback counted = [self = shared_from_this(), done = std::move(done)](RedisReply reply) {
    done(std::move(reply));
    // Counted down after `done`, so that a command `done` issues (a script
    // sent again whole, a follow-up write) keeps a stopping connection open.
    if (self->in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      boost::asio::post(self->strand_, [self] { self->close_when_idle(); });
    }
  };
  boost::asio::post(strand_, [self = shared_from_this(), args = std::move(args), done = std::move(counted)]() mutable {
    self->send(std::move(args), std::move(done));
  });
}

void RedisConnection::subscribe(std::string channel, MessageHandler handler) {
  boost::asio::post(strand_,
                    [self = shared_from_this(), channel = std::move(channel), handler = std::move(handler)]() mutable {
                      const std::uint64_t id = ++self->next_id_;
                      self->subscriptions_.emplace(id, std::make_pair(channel, std::move(handler)));
                      if (self->connected()) self->send_subscribe(id, channel);
                    });
}

void RedisConnection::set_on_up(std::function<void()> on_up) {
  boost::asio::post(strand_, [self = shared_from_this(), on_up = std::move(on_up)]() mutable {
    self->on_up_ = std::move(on_up);
  });
}

void RedisConnection::dial() {
  const RedisEndpoint& e = options_.endpoint;
  redisAsyncContext* context = redisAsyncConnect(e.host.c_str(), e.port);
  if (context == nullptr || context->err != 0) {
    spdlog::debug("{}: cannot connect to {}:{}: {}", options_.name, e.host, e.port,
                  context != nullptr ? context->errstr : "out of memory");
    if (context != nullptr) redisAsyncFree(context);
    schedule_dial();
    return;
  }
  auto link = std::make_shared<Link>(ioc_);
  boost::system::error_code ec;
  link->descriptor.assign(context->c.fd, ec);
  if (ec) {
    spdlog::warn("{}: cannot watch the socket: {}", options_.name, ec.message());
    redisAsyncFree(context);
    schedule_dial();
    return;
  }
  link->owner = this;
  link->context = context;
  link_ = link;
  context_ = context;
  context->data = this;
  context->ev.data = link.get();
  context->ev.addRead = add_read;
  context->ev.delRead = del_read;
  context->ev.addWrite = add_write;
  context->ev.delWrite = del_write;
  context->ev.cleanup = cleanup;
  redisAsyncSetDisconnectCallback(context, disconnect_callback);
  redisAsyncSetConnectCallback(context, connect_callback);  // arms the write wait: connected once writable
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait(boost::asio::bind_executor(
      strand_, [self = shared_from_this(), link](const boost::system::error_code& error) {
        if (error || self->link_ != link || self->context_ == nullptr || self->connected()) return;
        self->drop("connecting to redis timed out");
        self->schedule_dial();
      }));
}

void RedisConnection::on_connected(bool ok) {
  connect_timer_.cancel();
  if (!ok) {
    // hiredis frees the context when this returns.
    spdlog::debug("{}: connect to {}:{} failed: {}", options_.name, options_.endpoint.host, options_.endpoint.port,
                  context_ != nullptr ? context_->errstr : "");
    context_ = nullptr;
    schedule_dial();
    return;
  }
  spdlog::info("{}: connected to redis {}:{}", options_.name, options_.endpoint.host, options_.endpoint.port);
  backoff_ = options_.reconnect_min;
  connected_.store(true, std::memory_order_release);
  // Sent first on the connection, so every later command runs on that db.
  if (options_.endpoint.db != 0) {
    send({"SELECT", std::to_string(options_.endpoint.db)}, [name = options_.name](RedisReply reply) {
      if (reply.error()) spdlog::error("{}: SELECT failed: {}", name, reply.text);
    });
  }
  for (const auto& [id, subscription] : subscriptions_) send_subscribe(id, subscription.first);
  if (on_up_) on_up_();
}

void RedisConnection::on_lost(const std::string& why) {
  connected_.store(false, std::memory_order_release);
  spdlog::warn("{}: lost the connection to redis {}:{}: {}", options_.name, options_.endpoint.host,
               options_.endpoint.port, why);
  schedule_dial();
}

void RedisConnection::drop(const std::string& why) {
  connected_.store(false, std::memory_order_release);
  std::map<std::uint64_t, Pending> failed = std::move(pending_);
  pending_.clear();
  // Its callbacks find nothing pending, and the disconnect callback finds
  // another context (none): nothing runs twice.
  if (redisAsyncContext* context = std::exchange(context_, nullptr)) redisAsyncFree(context);
  for (auto& [id, pending] : failed) complete(std::move(pending.done), RedisReply::failure(why));
}

void RedisConnection::schedule_dial() {
  if (stopped_) return;
  dial_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.reconnect_max);
  dial_timer_.async_wait(boost::asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec && !self->stopped_ && self->context_ == nullptr) self->dial();
  }));
}

void RedisConnection::send(std::vector<std::string> args, Callback done) {
  if (context_ == nullptr || !connected()) {
    complete(std::move(done), RedisReply::failure("not connected to redis"));
    return;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  const std::uint64_t id = ++next_id_;
  // hiredis copies the arguments into its output buffer here.
  if (redisAsyncCommandArgv(context_, reply_callback, reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)),
                            static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
    complete(std::move(done), RedisReply::failure("the redis connection is closing"));
    return;
  }
  pending_.emplace(id, Pending{std::move(done), std::chrono::steady_clock::now() + options_.command_timeout});
  arm_timeout();
}

void RedisConnection::send_subscribe(std::uint64_t id, const std::string& channel) {
  const char* argv[] = {"SUBSCRIBE", channel.data()};
  const std::size_t lengths[] = {9, channel.size()};
  redisAsyncCommandArgv(context_, message_callback, reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)), 2, argv,
                        lengths);
}

void RedisConnection::arm_timeout() {
  if (timeout_armed_ || pending_.empty()) return;
  timeout_armed_ = true;
  timeout_timer_.expires_at(pending_.begin()->second.deadline);
  timeout_timer_.async_wait(boost::asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->timeout_armed_ = false;
    if (ec) return;
    self->on_timeout();
  }));
}

void RedisConnection::on_timeout() {
  if (pending_.empty()) return;
  if (pending_.begin()->second.deadline > std::chrono::steady_clock::now()) {
    arm_timeout();  // the one it was armed for has its reply: watch the next
    return;
  }
  const std::string why =
      "a redis command got no reply in " + std::to_string(options_.command_timeout.count()) + " ms (it may have run)";
  spdlog::warn("{}: {}: reconnecting", options_.name, why);
  drop(why);
  schedule_dial();
}

void RedisConnection::complete(Callback done, RedisReply reply) {
  boost::asio::post(ioc_, [done = std::move(done), reply = std::move(reply)]() mutable { done(std::move(reply)); });
}

void RedisConnection::reply_callback(redisAsyncContext* context, void* reply, void* privdata) {
  auto* self = static_cast<RedisConnection*>(context->data);
  const auto it = self->pending_.find(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(privdata)));
  if (it == self->pending_.end()) return;  // failed already (timed out, dropped)
  Callback done = std::move(it->second.done);
  self->pending_.erase(it);
  self->complete(std::move(done), RedisReply::of(static_cast<const redisReply*>(reply)));
}

void RedisConnection::message_callback(redisAsyncContext* context, void* reply, void* privdata) {
  const auto* r = static_cast<const redisReply*>(reply);
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
  const redisReply* kind = r->element[0];
  const redisReply* payload = r->element[2];
  if (kind->type != REDIS_REPLY_STRING || std::strcmp(kind->str, "message") != 0 ||
      payload->type != REDIS_REPLY_STRING) {
    return;  // the subscribe confirmation
  }
  auto* self = static_cast<RedisConnection*>(context->data);
  const auto it = self->subscriptions_.find(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(privdata)));
  if (it != self->subscriptions_.end()) it->second.second(std::string(payload->str, payload->len));
}

void RedisConnection::connect_callback(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self->context_ == context) self->on_connected(status == REDIS_OK);
}

void RedisConnection::disconnect_callback(const redisAsyncContext* context, int /*status*/) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (self->context_ != context) return;  // our own drop(): handled there
  self->context_ = nullptr;
  self->on_lost(context->errstr[0] != '\0' ? context->errstr : "closed by the server");
}

void RedisConnection::arm_read(const std::shared_ptr<Link>& link) {
  link->read_armed = true;
  link->descriptor.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      boost::asio::bind_executor(strand_, [self = shared_from_this(), link](const boost::system::error_code& ec) {
        link->read_armed = false;
        if (ec || link->context == nullptr || !link->reading) return;
        redisAsyncHandleRead(link->context);  // may free the context (cleanup)
        if (link->context != nullptr && link->reading && !link->read_armed) self->arm_read(link);
      }));
}

void RedisConnection::arm_write(const std::shared_ptr<Link>& link) {
  link->write_armed = true;
  link->descriptor.async_wait(
      boost::asio::posix::stream_descriptor::wait_write,
      boost::asio::bind_executor(strand_, [self = shared_from_this(), link](const boost::system::error_code& ec) {
        link->write_armed = false;
        if (ec || link->context == nullptr || !link->writing) return;
        redisAsyncHandleWrite(link->context);  // the connect, then the output buffer
        if (link->context != nullptr && link->writing && !link->write_armed) self->arm_write(link);
      }));
}

void RedisConnection::add_read(void* data) {
  auto* link = static_cast<Link*>(data);
  link->reading = true;
  if (!link->read_armed && link->owner->link_.get() == link) link->owner->arm_read(link->owner->link_);
}

void RedisConnection::del_read(void* data) { static_cast<Link*>(data)->reading = false; }

void RedisConnection::add_write(void* data) {
  auto* link = static_cast<Link*>(data);
  link->writing = true;
  if (!link->write_armed && link->owner->link_.get() == link) link->owner->arm_write(link->owner->link_);
}

void RedisConnection::del_write(void* data) { static_cast<Link*>(data)->writing = false; }

void RedisConnection::cleanup(void* data) {
  // hiredis closes the fd after this: the descriptor lets go of it first
  // (its pending waits end with operation_aborted).
  auto* link = static_cast<Link*>(data);
  link->context = nullptr;
  link->reading = link->writing = false;
  boost::system::error_code ignored;
  link->descriptor.cancel(ignored);
  (void)link->descriptor.release();
}

}  // namespace xiaoer::store::redis
