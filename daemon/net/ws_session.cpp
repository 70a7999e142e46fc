#include "daemon/net/ws_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

namespace xiaoer::net {

template <class NextLayer>
WsSession<NextLayer>::WsSession(NextLayer next, Identity identity, MessageHandler& handler,
                                ConnectionRegistry& registry, const SessionLimits& limits)
    : ws_(std::move(next)),
      close_deadline_(ws_.get_executor()),
      writes_deadline_(ws_.get_executor()),
      role_(identity.role),
      identity_(std::move(identity)),
      handler_(handler),
      registry_(registry),
      limits_(limits),
      id_(registry.next_id()) {
  configure(true);
}

template <class NextLayer>
WsSession<NextLayer>::WsSession(Stream stream, Role role, MessageHandler& handler, ConnectionRegistry& registry,
                     const SessionLimits& limits)
    : ws_(std::move(stream)),
      close_deadline_(ws_.get_executor()),
      writes_deadline_(ws_.get_executor()),
      role_(role),
      identity_{role, {}, false, false},
      handler_(handler),
      registry_(registry),
      limits_(limits),
      id_(registry.next_id()) {
  configure(false);
}

template <class NextLayer>
WsSession<NextLayer>::~WsSession() = default;

template <class NextLayer>
void WsSession<NextLayer>::configure(bool server) {
  server_ = server;
  // Beast's own timeouts replace the TCP layer's after the handshake.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeout =
      websocket::stream_base::timeout::suggested(server ? beast::role_type::server : beast::role_type::client);
  timeout.handshake_timeout = limits_.handshake_timeout;
  timeout.idle_timeout = limits_.idle_timeout;
  timeout.keep_alive_pings = true;
  ws_.set_option(timeout);
  ws_.read_message_max(limits_.max_frame_bytes);
  ws_.auto_fragment(false);
  if (server) {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "xiaoerd"); }));
  }
}

template <class NextLayer>
void WsSession<NextLayer>::accept(http::request<http::string_body> request) {
  ws_.async_accept(request, beast::bind_front_handler(&WsSession<NextLayer>::on_accept, self()));
}

template <class NextLayer>
void WsSession<NextLayer>::on_accept(beast::error_code ec) {
  if (ec) {
    registry_.abandon_upgrade();
    spdlog::debug("websocket accept failed: {}", ec.message());
    finish();
    return;
  }
  opened();
}

template <class NextLayer>
void WsSession<NextLayer>::start(std::function<void()> on_end) {
  on_end_ = std::move(on_end);
  boost::asio::post(ws_.get_executor(), [self = self()] { self->opened(); });
}

template <class NextLayer>
void WsSession<NextLayer>::opened() {
  open_ = true;
  registry_.add(self(), /*upgraded=*/server_);
  handler_.on_open(self());
  do_read();
}

template <class NextLayer>
void WsSession<NextLayer>::do_read() {
  reading_ = Reading::kPending;
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession<NextLayer>::on_read, self()));
}

template <class NextLayer>
void WsSession<NextLayer>::on_read(beast::error_code ec, std::size_t) {
  reading_ = Reading::kNone;
  if (ec) {
    if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted) {
      spdlog::debug("connection {} read ended: {}", id_, ec.message());
    }
    finish();
    return;
  }
  const auto received = std::chrono::steady_clock::now();
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    do_close(websocket::close_code::unknown_data, "binary frames are not supported; send JSON text");
    return;
  }
  if (close_sent_) {
    // Its answer could not be sent: left unprocessed, so the gateway resends
    // it after reconnecting.
    buffer_.consume(buffer_.size());
  } else {
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    handler_.on_text(self(), std::move(frame), received);
  }
  if (!closing_) read_next();
}

template <class NextLayer>
void WsSession<NextLayer>::read_next() {
  if (queue_is_long()) {
    reading_ = Reading::kHeld;  // on_write reads on once the queue is short
    watch_writes();
    return;
  }
  // The held-back session is kept alive by its resume (no operation is
  // pending on it meanwhile).
  reading_ = Reading::kGated;
  const bool now = handler_.may_read([self = self()] {
    boost::asio::post(self->ws_.get_executor(), [self] {
      if (self->reading_ == Reading::kGated && !self->closing_ && !self->finished_) self->read_next();
    });
  });
  if (now) do_read();
}

template <class NextLayer>
void WsSession<NextLayer>::watch_writes() {
  if (watching_writes_) return;
  watching_writes_ = true;
  writes_deadline_.expires_after(limits_.handshake_timeout);
  writes_deadline_.async_wait([self = self(), written = writes_done_](beast::error_code ec) {
    self->watching_writes_ = false;
    // Held, the session reads again only once a write brings the queue to
    // a quarter: a queue that fell below half before the peer's window
    // closed must still be watched, or it waits for a write that never ends.
    const bool backed_up = self->queue_is_long() || self->reading_ == Reading::kHeld;
    if (ec || self->finished_ || self->close_sent_ || !backed_up) return;
    if (self->writes_done_ != written) {
      self->watch_writes();  // slow, but taking frames: a daemon behind, not a peer
      return;
    }
    spdlog::warn("connection {} does not read its frames ({} queued): closing it", self->id_,
                 self->untracked_queued_);
    // The frame being written (the front) must live until its write ends.
    self->drop_queued(self->writing_ ? 1 : 0);
    self->do_close(websocket::close_code::policy_error, "outbound queue full: read your frames");
  });
}

template <class NextLayer>
void WsSession<NextLayer>::send(std::string frame) {
  push_inbox({std::move(frame), {}});
}

template <class NextLayer>
void WsSession<NextLayer>::send_tracked(std::string frame, Written written) {
  push_inbox({std::move(frame), std::move(written)});
}

template <class NextLayer>
void WsSession<NextLayer>::push_inbox(Outgoing out) {
  // Frames from other threads gather in the inbox; only the first of a
  // burst posts to the strand (the journal delivers answers in batches: one
  // wake-up for the batch, not one per answer).
  bool first = false;
  {
    std::lock_guard lock(inbox_mutex_);
    first = inbox_.empty();
    inbox_.push_back(std::move(out));
  }
  if (first) boost::asio::post(ws_.get_executor(), [self = self()] { self->drain_inbox(); });
}

template <class NextLayer>
void WsSession<NextLayer>::drain_inbox() {
  std::vector<Outgoing> frames;
  {
    std::lock_guard lock(inbox_mutex_);
    frames.swap(inbox_);
  }
  for (Outgoing& out : frames) enqueue(std::move(out));
}

template <class NextLayer>
void WsSession<NextLayer>::enqueue(Outgoing out) {
  if (finished_ || close_sent_) {
    if (out.written) out.written(false);
    return;
  }
  if (!out.written) ++untracked_queued_;
  if (queue_is_long()) watch_writes();  // also for a peer that sends nothing to hold back
  outbound_.push_back(std::move(out));
  if (!writing_) do_write();
}

template <class NextLayer>
void WsSession<NextLayer>::drop_queued(std::size_t from) {
  std::vector<Written> dropped;
  while (outbound_.size() > from) {
    Outgoing& last = outbound_.back();
    if (last.written) {
      dropped.push_back(std::move(last.written));
    } else {
      --untracked_queued_;
    }
    outbound_.pop_back();
  }
  // Told in the order they were queued.
  for (auto it = dropped.rbegin(); it != dropped.rend(); ++it) (*it)(false);
}

template <class NextLayer>
void WsSession<NextLayer>::do_write() {
  if (outbound_.empty()) {
    writing_ = false;
    cork(false);
    if (closing_) do_close(websocket::close_code::going_away, "server shutting down");
    return;
  }
  // Answers come back from the journal a group commit at a time: the
  // frames queued together leave in as few segments as they fill (one
  // delivery and one wake-up of the gateway, not one per frame), and the
  // last one leaves as soon as it is written.
  if (outbound_.size() > 1) cork(true);
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(outbound_.front().frame),
                  beast::bind_front_handler(&WsSession<NextLayer>::on_write, self()));
}

template <class NextLayer>
void WsSession<NextLayer>::cork(bool on) {
  if (corked_ == on) return;
  corked_ = on;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  const int value = on ? 1 : 0;
  if (::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value) != 0) corked_ = false;
}

template <class NextLayer>
void WsSession<NextLayer>::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (!ec) ++writes_done_;
  if (!outbound_.empty()) {
    Outgoing done = std::move(outbound_.front());
    outbound_.pop_front();
    if (done.written) {
      done.written(!ec);
    } else {
      --untracked_queued_;
    }
  }
  if (finished_) {
    tell_closed();  // deferred by finish() until this frame was reported
    return;
  }
  if (ec) {
    spdlog::debug("connection {} write failed: {}", id_, ec.message());
    drop_queued(0);
    finish();
    return;
  }
  if (pending_close_) {
    drop_queued(0);
    send_close(*pending_close_);
    return;
  }
  if (reading_ == Reading::kHeld && untracked_queued_ <= limits_.max_outbound_frames / 4 && !closing_ &&
      !close_sent_) {
    read_next();
  }
  do_write();
}

template <class NextLayer>
void WsSession<NextLayer>::close() {
  boost::asio::post(ws_.get_executor(), [self = self()] {
    self->closing_ = true;
    if (!self->writing_) self->do_close(websocket::close_code::going_away, "server shutting down");
  });
}

template <class NextLayer>
void WsSession<NextLayer>::do_close(websocket::close_code code, std::string reason) {
  if (close_sent_ || finished_) return;
  close_sent_ = true;
  close_deadline_.expires_after(limits_.handshake_timeout);
  close_deadline_.async_wait([self = self()](beast::error_code ec) {
    if (ec || self->finished_) return;
    spdlog::debug("connection {} did not finish its close in time: dropped", self->id_);
    self->finish();
  });
  if (writing_) {
    // One write at a time: the close frame follows the frame in flight.
    pending_close_ = websocket::close_reason(code, reason);
    return;
  }
  send_close(websocket::close_reason(code, reason));
}

template <class NextLayer>
void WsSession<NextLayer>::send_close(websocket::close_reason reason) {
  cork(false);  // the close frame leaves at once: the peer answers it
  ws_.async_close(reason, [self = self()](beast::error_code) { self->finish(); });
}

template <class NextLayer>
void WsSession<NextLayer>::finish() {
  if (finished_) return;
  finished_ = true;
  close_deadline_.cancel();
  writes_deadline_.cancel();
  // Not while a write is in flight: its frame is reported when it ends.
  drop_queued(writing_ ? 1 : 0);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).socket().close(ignored);
  // The handler hears of the close after every tracked frame was reported:
  // a frame whose write had reached the socket is not given back as lost
  // (the closed socket ends the write in flight soon, written or not).
  if (!writing_) tell_closed();
}

template <class NextLayer>
void WsSession<NextLayer>::tell_closed() {
  if (open_) {
    open_ = false;
    registry_.remove(id_);
    handler_.on_close(*this);
  }
  if (on_end_) {
    auto on_end = std::move(on_end_);
    on_end();
  }
}

template class WsSession<beast::tcp_stream>;
template class WsSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace xiaoer::net
