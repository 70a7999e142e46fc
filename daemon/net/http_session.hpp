// HttpSession: a TCP connection before (or instead of) a websocket upgrade.
//
// Reads one HTTP request at a time, within a deadline (a slow sender cannot
// hold the connection: slowloris) and size limits. An upgrade to
// /v1/gateway or /v1/agent is admitted by the handler (its credentials: the
// Authorization: Bearer header or the console's session cookie, and its
// Origin; a token in the query string is refused here) and handed to a
// WsSession. Anything else is a plain request for the handler (health,
// metrics, the agent API, the console's files), answered when the handler
// calls back: the strand never waits on it.
//
// Stream is beast::tcp_stream, or beast::ssl_stream of it: then the TLS
// handshake comes first, within the same deadline.
//
// Thread safety: runs on its own strand only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <functional>
#include <memory>
#include <optional>

#include "daemon/net/connection_registry.hpp"
#include "daemon/net/message_handler.hpp"

namespace xiaoer::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, MessageHandler& handler, ConnectionRegistry& registry, SessionLimits limits);
  ~HttpSession();
  void run();

 private:
  void on_handshake(beast::error_code ec);
  void do_read();
  // The headers alone: the body's framing is checked before it is read.
  void on_header(beast::error_code ec, std::size_t bytes);
  void on_read(beast::error_code ec, std::size_t bytes);
  // A read that failed: 400 or 413 and close, or just close.
  void read_failed(beast::error_code ec);
  void upgrade(http::request<http::string_body> request);
  void respond(http::response<http::string_body> response);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void close();
  std::shared_ptr<HttpSession> self() { return this->shared_from_this(); }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  bool close_after_ = false;  // the request's framing was ambiguous: no next request
  MessageHandler& handler_;
  ConnectionRegistry& registry_;
  SessionLimits limits_;
};

extern template class HttpSession<beast::tcp_stream>;
extern template class HttpSession<beast::ssl_stream<beast::tcp_stream>>;

// The token of an "Authorization: Bearer <token>" value, or "".
std::string_view bearer_token(std::string_view authorization);

// The value of `key` in the query of `target` ("/v1/agent?agent=li" → "li").
std::string query_value(std::string_view target, std::string_view key);

}  // namespace xiaoer::net
