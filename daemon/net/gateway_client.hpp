// GatewayClient: client mode, where the daemon dials the gateway's
// websocket URL itself and keeps the connection up.
//
// After a failure or a dropped connection it dials again after a delay that
// doubles from reconnect_min to reconnect_max, each drawn at random between
// half and all of it (jitter: a fleet of daemons does not dial in step). A
// successful handshake resets the delay. Answers are never lost across a
// reconnect: the gateway resends what it has no answer for, and the chat
// service answers a resent id from its window.
//
// Thread safety: start() and stop() from any thread; the rest on its strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "daemon/net/connection_registry.hpp"
#include "daemon/net/message_handler.hpp"

namespace xiaoer::net {

struct WsUrl {
  std::string host;
  std::string port;
  std::string target;  // path and query
};

// Parses ws://host[:port][/path]; nullopt for anything else (wss:// is not
// supported in client mode: put TLS in a local proxy).
std::optional<WsUrl> parse_ws_url(std::string_view url);

class GatewayClient : public std::enable_shared_from_this<GatewayClient> {
 public:
  struct Options {
    WsUrl url;
    std::string token;  // sent as Authorization: Bearer
    std::chrono::milliseconds reconnect_min{200};
    std::chrono::milliseconds reconnect_max{10000};
  };

  GatewayClient(boost::asio::io_context& ioc, Options options, MessageHandler& handler, ConnectionRegistry& registry,
                std::function<SessionLimits()> limits);

  void start();
  // Stops dialling; an open connection is closed through the registry.
  void stop();

  // Successful handshakes so far (for tests and logs).
  int connections() const { return connections_; }

 private:
  void dial();
  void on_resolve(boost::beast::error_code ec, boost::asio::ip::tcp::resolver::results_type results);
  void on_connect(boost::beast::error_code ec, boost::asio::ip::tcp::endpoint endpoint);
  void on_handshake(boost::beast::error_code ec);
  void retry(const std::string& why);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;
  Options options_;
  MessageHandler& handler_;
  ConnectionRegistry& registry_;
  std::function<SessionLimits()> limits_;
  std::optional<boost::beast::websocket::stream<boost::beast::tcp_stream>> ws_;
  std::chrono::milliseconds delay_;
  std::minstd_rand random_;
  bool stopped_ = false;
  int connections_ = 0;
};

}  // namespace xiaoer::net
