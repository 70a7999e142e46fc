// Listener: accepts TCP connections and gives each an HttpSession on a
// strand of its own (a TLS one when a TLS context is given).
//
// Thread safety: start() and stop() from any thread; accepting runs on the
// listener's own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>

#include <functional>
#include <memory>
#include <atomic>
#include <string>

#include "daemon/net/connection_registry.hpp"
#include "daemon/net/message_handler.hpp"

namespace xiaoer::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // `limits` is read for every new connection (reloadable).
  Listener(boost::asio::io_context& ioc, MessageHandler& handler, ConnectionRegistry& registry,
           std::function<SessionLimits()> limits, std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

  // Binds and listens; false with `error` set when it cannot.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, std::string* error);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  void start();
  // Stops accepting; open connections are not touched.
  void stop();
  // Serves new TLS connections with `tls` (a renewed certificate); open
  // ones keep the one they started with. Only for a listener made with TLS.
  void set_tls(std::shared_ptr<boost::asio::ssl::context> tls) { tls_.store(std::move(tls)); }

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void start_session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  MessageHandler& handler_;
  ConnectionRegistry& registry_;
  std::function<SessionLimits()> limits_;
  // Swapped whole by a reload. A session's SSL object holds its own
  // reference to the OpenSSL context, so the old one may go first.
  std::atomic<std::shared_ptr<boost::asio::ssl::context>> tls_;
};

}  // namespace xiaoer::net
