#include "daemon/net/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

#include <spdlog/spdlog.h>

#include "daemon/net/request_framing.hpp"
#include "daemon/net/ws_session.hpp"

namespace xiaoer::net {
namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Decodes %XX and '+' in a query value.
std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

http::response<http::string_body> plain(unsigned status, unsigned version, std::string body, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::server, "xiaoerd");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// What the handler reads of a request: the method, target, body and the
// headers that say who sent it and from where.
template <class Stream>
HttpRequest to_request(http::request<http::string_body> request) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  out.authorization = std::string(request[http::field::authorization]);
  out.cookie = std::string(request[http::field::cookie]);
  out.origin = std::string(request[http::field::origin]);
  out.host = std::string(request[http::field::host]);
  out.tls = !std::is_same_v<Stream, beast::tcp_stream>;
  out.body = std::move(request.body());
  return out;
}

http::response<http::string_body> to_beast_response(HttpResponse answer, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
  res.set(http::field::server, "xiaoerd");
  res.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(answer.body);
  res.prepare_payload();
  return res;
}

}  // namespace

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return {};
    }
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

std::string query_value(std::string_view target, std::string_view key) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

template <class Stream>
HttpSession<Stream>::HttpSession(Stream stream, MessageHandler& handler, ConnectionRegistry& registry,
                                 SessionLimits limits)
    : stream_(std::move(stream)), handler_(handler), registry_(registry), limits_(limits) {
  ++registry_.pending_http;
}

template <class Stream>
HttpSession<Stream>::~HttpSession() {
  --registry_.pending_http;
}

template <class Stream>
void HttpSession<Stream>::run() {
  boost::asio::dispatch(stream_.get_executor(), [self = self()] {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      self->do_read();
    } else {
      beast::get_lowest_layer(self->stream_).expires_after(self->limits_.handshake_timeout);
      self->stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                    beast::bind_front_handler(&HttpSession::on_handshake, self));
    }
  });
}

template <class Stream>
void HttpSession<Stream>::on_handshake(beast::error_code ec) {
  if (ec) {
    spdlog::debug("TLS handshake failed: {}", ec.message());
    close();
    return;
  }
  do_read();
}

template <class Stream>
void HttpSession<Stream>::close() {
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).socket().close(ignored);
}

template <class Stream>
void HttpSession<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(limits_.max_frame_bytes);  // the agent API's bodies, like frames
  // The whole request must arrive within the handshake timeout.
  beast::get_lowest_layer(stream_).expires_after(limits_.handshake_timeout);
  http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_header, self()));
}

template <class Stream>
void HttpSession<Stream>::read_failed(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == boost::asio::error::operation_aborted) {
    close();
    return;
  }
  const bool too_big = ec == http::error::header_limit || ec == http::error::body_limit;
  respond(plain(too_big ? 413 : 400, 11, too_big ? "request too large\n" : "bad request: " + ec.message() + "\n", false));
}

template <class Stream>
void HttpSession<Stream>::on_header(beast::error_code ec, std::size_t) {
  if (ec) {
    read_failed(ec);
    return;
  }
  const auto& header = parser_->get();
  std::string codings;
  bool has_transfer_encoding = false;
  for (auto [field, end] = header.equal_range(http::field::transfer_encoding); field != end; ++field) {
    has_transfer_encoding = true;
    codings.append(field->value()).push_back(',');
  }
  switch (request_framing(has_transfer_encoding, codings, header.count(http::field::content_length) > 0,
                          header.version())) {
    case Framing::kRefuse:
      respond(plain(400, 11, "bad request: Transfer-Encoding must be chunked alone (RFC 9112 6.1)\n", false));
      return;
    case Framing::kCloseAfter:
      close_after_ = true;
      break;
    case Framing::kKeep:
      break;
  }
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, self()));
}

template <class Stream>
void HttpSession<Stream>::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    read_failed(ec);
    return;
  }
  http::request<http::string_body> request = parser_->release();
  if (boost::beast::websocket::is_upgrade(request)) {
    upgrade(std::move(request));
    return;
  }
  const unsigned version = request.version();
  // A request with both Transfer-Encoding and Content-Length is answered,
  // then the connection closed (RFC 9112 §6.3).
  const bool keep_alive = request.keep_alive() && !close_after_;
  // The answer may come from another thread (an agent's change answers once
  // committed): it is posted back to this session's strand.
  handler_.on_http(to_request<Stream>(std::move(request)),
                   [self = self(), version, keep_alive](HttpResponse answer) {
                     boost::asio::post(self->stream_.get_executor(), [self, version, keep_alive,
                                                                      answer = std::move(answer)]() mutable {
                       self->respond(to_beast_response(std::move(answer), version, keep_alive));
                     });
                   });
}

template <class Stream>
void HttpSession<Stream>::upgrade(http::request<http::string_body> request) {
  const std::string_view path = path_of(request.target());
  std::optional<Role> wanted;
  if (path == "/v1/gateway") wanted = Role::kGateway;
  if (path == "/v1/agent") wanted = Role::kAgent;
  if (!wanted) {
    respond(plain(404, request.version(), "no websocket endpoint at this path (use /v1/gateway or /v1/agent)\n", false));
    return;
  }
  if (!query_value(request.target(), "token").empty() || !query_value(request.target(), "access_token").empty()) {
    respond(plain(401, request.version(),
                  "tokens in the query string are refused (they end up in logs): use the Authorization header\n",
                  false));
    return;
  }
  const Admission admission = handler_.admit(to_request<Stream>(request), *wanted);
  if (admission.status != 0) {
    auto res = plain(admission.status, request.version(), admission.reason + "\n", false);
    if (admission.status == 401) res.set(http::field::www_authenticate, "Bearer");
    respond(std::move(res));
    return;
  }
  if (!registry_.begin_upgrade(limits_.max_connections)) {
    respond(plain(503, request.version(), "too many connections\n", false));
    return;
  }
  beast::get_lowest_layer(stream_).expires_never();
  std::make_shared<WsSession<Stream>>(std::move(stream_), admission.identity, handler_, registry_, limits_)
      ->accept(std::move(request));
}

template <class Stream>
void HttpSession<Stream>::respond(http::response<http::string_body> response) {
  response_ = std::make_shared<http::response<http::string_body>>(std::move(response));
  const bool keep_alive = response_->keep_alive();
  beast::get_lowest_layer(stream_).expires_after(limits_.handshake_timeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::on_write, self(), keep_alive));
}

template <class Stream>
void HttpSession<Stream>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec || !keep_alive) {
    close();
    return;
  }
  do_read();
}

template class HttpSession<beast::tcp_stream>;
template class HttpSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace xiaoer::net
