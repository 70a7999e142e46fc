// WsSession: one websocket connection (a gateway's or an agent's), server
// or client side.
//
// DESIGN
// The session owns its stream, read buffer and outbound queue. Every handler
// binds shared_from_this(), so the session lives while an operation is
// pending; all of its state is touched only on its strand (the executor of
// its socket): close() from other threads posts onto it, and send() adds to a
// locked inbox that the strand drains (one post for a burst of frames). One
// read and one write are in flight at most; the strand moves the inbox to a
// bounded queue and only its front is written. Binary frames are refused (close 1003), frames
// over the size limit are refused by Beast (close 1009), malformed UTF-8 in
// a text frame by Beast too (close 1007). Silent peers are pinged and timed
// out by Beast's idle timeout. The outbound limit counts the untracked
// frames only: tracked ones (send_tracked, the gateway's pushes) are paced
// by their sender, and each is reported written or dropped.
//
// A queue that grows is not proof of a peer that does not read: when the
// daemon is behind, answers come back faster than its turns to write them.
// So from half the limit on, the session reads no more frames (the peer is
// held back through TCP) until the queue is down to a quarter, and only a
// peer that takes no frame at all for limits.handshake_timeout while so much
// is queued, or while it is held back, is closed as one that does not read.
//
// NextLayer is beast::tcp_stream (ws://) or beast::ssl_stream of it (wss://).
//
// Thread safety: send(), close() and the Connection getters may be called
// from any thread; everything else runs on the strand.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <mutex>
#include <vector>
#include <optional>
#include <functional>
#include <memory>
#include <string>

#include "daemon/net/connection_registry.hpp"
#include "daemon/net/message_handler.hpp"

namespace xiaoer::net {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;

template <class NextLayer>
class WsSession final : public Connection, public std::enable_shared_from_this<WsSession<NextLayer>> {
 public:
  using Stream = websocket::stream<NextLayer>;

  // Server side: `next` has sent the upgrade request given to accept().
  WsSession(NextLayer next, Identity identity, MessageHandler& handler,
            ConnectionRegistry& registry, const SessionLimits& limits);
  // Client side: `stream` has completed its handshake.
  WsSession(Stream stream, Role role, MessageHandler& handler, ConnectionRegistry& registry,
            const SessionLimits& limits);
  ~WsSession() override;

  // Server side: accepts the upgrade, then reads.
  void accept(http::request<http::string_body> request);
  // Client side: starts reading. `on_end` runs once the connection is gone.
  void start(std::function<void()> on_end);

  void send(std::string frame) override;
  void send_tracked(std::string frame, Written written) override;
  void close() override;
  std::uint64_t id() const override { return id_; }
  Role role() const override { return role_; }
  const Identity& identity() const override { return identity_; }

 private:
  void configure(bool server);
  void cork(bool on);
  void on_accept(beast::error_code ec);
  void opened();
  void do_read();
  // The next read, once the handler lets it (MessageHandler::may_read).
  void read_next();
  void on_read(beast::error_code ec, std::size_t bytes);
  // From half the outbound limit on: no more reads, and the peer must take
  // a frame within the handshake timeout (watch_writes).
  bool queue_is_long() const { return untracked_queued_ >= limits_.max_outbound_frames / 2; }
  void watch_writes();
  struct Outgoing {
    std::string frame;
    Written written;  // empty: untracked (counts against the limit)
  };
  void enqueue(Outgoing out);
  // Drops the queued frames from index `from` on, telling their senders.
  void drop_queued(std::size_t from);
  void push_inbox(Outgoing out);
  void drain_inbox();
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close(websocket::close_code code, std::string reason);
  void send_close(websocket::close_reason reason);
  void finish();
  // Tells the handler (and on_end) once the connection is gone.
  void tell_closed();
  std::shared_ptr<WsSession> self() { return this->shared_from_this(); }

  Stream ws_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> outbound_;
  std::size_t untracked_queued_ = 0;  // of outbound_: what the limit counts
  std::mutex inbox_mutex_;
  std::vector<Outgoing> inbox_;  // sent, not yet on the strand
  bool writing_ = false;
  // The read loop: a read pending, waiting for the handler's gate, held by
  // our own queue, or none (between a read and the next, or once closing).
  enum class Reading { kNone, kPending, kGated, kHeld } reading_ = Reading::kNone;
  std::uint64_t writes_done_ = 0;  // frames written so far: the watch's measure of progress
  bool watching_writes_ = false;
  bool corked_ = false;       // TCP_CORK set while frames queue behind the one being written
  bool closing_ = false;      // close once the queue is written
  bool close_sent_ = false;
  std::optional<websocket::close_reason> pending_close_;  // after the write in flight
  // Bounds the whole close once decided: a peer that never reads never lets
  // the write in flight end. (Not the tcp_stream's expiry: it cannot be set
  // while a read and a write are both pending.)
  boost::asio::steady_timer close_deadline_;
  boost::asio::steady_timer writes_deadline_;  // the watch on a long queue
  bool open_ = false;         // handler told of the open
  bool finished_ = false;
  bool server_ = false;       // accepted an upgrade (its place was reserved)
  Role role_;
  Identity identity_;
  MessageHandler& handler_;
  ConnectionRegistry& registry_;
  SessionLimits limits_;
  std::uint64_t id_;
  std::function<void()> on_end_;
};

using PlainWsSession = WsSession<beast::tcp_stream>;
using TlsWsSession = WsSession<beast::ssl_stream<beast::tcp_stream>>;
extern template class WsSession<beast::tcp_stream>;
extern template class WsSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace xiaoer::net
