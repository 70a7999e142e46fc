// GatewayClient: client mode, where the daemon dials the gateway's
// websocket URL itself (ws:// or wss://) and keeps the connection up.
//
// After a failure or a dropped connection it dials again after a delay that
// doubles from backoff.min to backoff.max, each drawn at random between
// half and all of it (jitter: a fleet of daemons does not dial in step). A
// successful handshake resets the delay. Answers are never lost across a
// reconnect: the gateway resends what it has no answer for, and the chat
// service answers a resent id from its window.
//
// Over wss:// the gateway's certificate chain is verified against the
// client TLS context's trust store and its name against the URL's host
// (sent as SNI too); TLS 1.2 at least.
//
// NextLayer is beast::tcp_stream (ws://) or beast::ssl_stream of it (wss://).
//
// Thread safety: start() and stop() from any thread; the rest on its strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>

#include "daemon/net/connection_registry.hpp"
#include "daemon/net/message_handler.hpp"
#include "daemon/net/reconnect_backoff.hpp"

namespace xiaoer::net {

struct WsUrl {
  bool tls = false;  // wss://
  std::string host;
  std::string port;
  std::string target;  // path and query
};

// Parses ws://host[:port][/path] (port 80) and wss://… (port 443); nullopt
// for anything else.
std::optional<WsUrl> parse_ws_url(std::string_view url);

// What the daemon holds of a client, whichever its transport.
class GatewayDialer {
 public:
  struct Options {
    WsUrl url;
    std::string token;  // sent as Authorization: Bearer
    ReconnectBackoff backoff;
    std::shared_ptr<boost::asio::ssl::context> tls;  // wss:// only: the client context
  };

  virtual ~GatewayDialer() = default;
  virtual void start() = 0;
  // Stops dialling; an open connection is closed through the registry.
  virtual void stop() = 0;
};

// A ws:// or wss:// client as the URL says (a wss:// URL needs options.tls).
std::shared_ptr<GatewayDialer> make_gateway_client(boost::asio::io_context& ioc, GatewayDialer::Options options,
                                                   MessageHandler& handler, ConnectionRegistry& registry,
                                                   std::function<SessionLimits()> limits);

template <class NextLayer>
class GatewayClient final : public GatewayDialer, public std::enable_shared_from_this<GatewayClient<NextLayer>> {
 public:
  GatewayClient(boost::asio::io_context& ioc, Options options, MessageHandler& handler, ConnectionRegistry& registry,
                std::function<SessionLimits()> limits);

  void start() override;
  void stop() override;

 private:
  void dial();
  void on_resolve(boost::beast::error_code ec, boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::beast::error_code ec, boost::asio::ip::tcp::endpoint endpoint);
  void on_tls_handshake(boost::beast::error_code ec);
  void upgrade();
  void on_upgrade(boost::beast::error_code ec);
  void retry(const std::string& why);
  std::shared_ptr<GatewayClient> self() { return this->shared_from_this(); }

  static constexpr bool kTls = !std::is_same_v<NextLayer, boost::beast::tcp_stream>;

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  Options options_;
  MessageHandler& handler_;
  ConnectionRegistry& registry_;
  std::function<SessionLimits()> limits_;
  std::optional<boost::beast::websocket::stream<NextLayer>> ws_;
  unsigned short port_ = 0;  // of the endpoint connected to, for the Host header
  std::chrono::milliseconds delay_;
  std::minstd_rand random_;
  bool stopped_ = false;
};

extern template class GatewayClient<boost::beast::tcp_stream>;
extern template class GatewayClient<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

}  // namespace xiaoer::net
