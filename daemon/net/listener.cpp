#include "daemon/net/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <spdlog/spdlog.h>

#include "daemon/net/http_session.hpp"

namespace xiaoer::net {
namespace {

constexpr std::size_t kOverLimitMargin = 64;

}  // namespace

Listener::Listener(boost::asio::io_context& ioc, MessageHandler& handler, ConnectionRegistry& registry,
                   std::function<SessionLimits()> limits, std::shared_ptr<boost::asio::ssl::context> tls)
    : ioc_(ioc),
      acceptor_(boost::asio::make_strand(ioc)),
      handler_(handler),
      registry_(registry),
      limits_(std::move(limits)),
      tls_(std::move(tls)) {}

bool Listener::open(const boost::asio::ip::tcp::endpoint& endpoint, std::string* error) {
  boost::beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " +
             ec.message();
    return false;
  }
  return true;
}

boost::asio::ip::tcp::endpoint Listener::local_endpoint() const {
  boost::beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::start() {
  boost::asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  boost::asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::beast::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::do_accept() {
  acceptor_.async_accept(boost::asio::make_strand(ioc_),
                         boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors, say: log and keep accepting.
    spdlog::warn("accept failed: {}", ec.message());
  } else {
    start_session(std::move(socket));
  }
  do_accept();
}

void Listener::start_session(boost::asio::ip::tcp::socket socket) {
  const SessionLimits limits = limits_();
  boost::beast::error_code ignored;
  // Up to a margin past the limit a connection still gets an HTTP answer
  // (503 for an upgrade; /healthz and /metrics keep working); past the
  // margin it is closed at once, so a flood cannot hold descriptors.
  if (registry_.size() + registry_.pending_http.load() >= limits.max_connections + kOverLimitMargin) {
    spdlog::warn("connection limit {} exceeded by {}: closing a connection unanswered", limits.max_connections,
                 kOverLimitMargin);
    socket.close(ignored);
    return;
  }
  // Answers are small frames: without this the kernel holds each one back
  // until the peer acknowledges the last (Nagle: ~40 ms stalls).
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  if (const std::shared_ptr<boost::asio::ssl::context> tls = tls_.load()) {
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
    std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *tls), handler_, registry_, limits)->run();
  } else {
    std::make_shared<HttpSession<boost::beast::tcp_stream>>(boost::beast::tcp_stream(std::move(socket)), handler_,
                                                            registry_, limits)
        ->run();
  }
}

}  // namespace xiaoer::net
