#include "tests/integration/ws_client.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace xiaoer::it {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

tcp::endpoint loopback(unsigned short port) { return {asio::ip::address_v4::loopback(), port}; }

// Runs `ioc` until done() or the deadline; true if done().
template <typename Done>
bool run_io(asio::io_context& ioc, Done done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    if (ioc.run_one_until(deadline) == 0 && !done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

// ---- WsClient -------------------------------------------------------------

WsClient::WsClient() : ioc_(std::make_shared<asio::io_context>()), ws_(*ioc_) {}

WsClient::WsClient(std::shared_ptr<asio::io_context> ioc, Stream stream)
    : ioc_(std::move(ioc)), ws_(std::move(stream)) {
  ws_.auto_fragment(false);
  ws_.read_message_max(64 << 20);
}

WsClient::~WsClient() {
  drop();
  // A pending read holds `this`: let it finish (aborted) before we go.
  if (reading_) run_until([this] { return read_done_; }, Clock::now() + std::chrono::seconds(2));
}

template <typename Done>
bool WsClient::run_until(Done done, Clock::time_point deadline) {
  return run_io(*ioc_, done, deadline);
}

Handshake WsClient::connect(unsigned short port, std::string_view path, std::string_view token,
                            std::string_view query, Millis timeout, const Headers& headers) {
  Handshake result;
  const auto deadline = Clock::now() + timeout;
  bool done = false;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).async_connect(loopback(port), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_until([&] { return done; }, deadline)) {
    drop();
    run_until([&] { return done; }, Clock::now() + std::chrono::seconds(2));
    result.error = "connect timed out";
    return result;
  }
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  ws_.auto_fragment(false);
  ws_.read_message_max(64 << 20);
  ws_.set_option(websocket::stream_base::decorator([token = std::string(token), headers](websocket::request_type& req) {
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type response;
  std::string host = "127.0.0.1:";
  host.append(std::to_string(port));
  std::string target(path);
  target.append(query);
  done = false;
  ws_.async_handshake(response, host, target, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_until([&] { return done; }, deadline)) {
    drop();
    run_until([&] { return done; }, Clock::now() + std::chrono::seconds(2));
    result.error = "handshake timed out";
    return result;
  }
  // A websocket-level failure means an HTTP answer was read; a transport
  // failure (reset, end of stream) means none came.
  const bool answered = !ec || ec.category() == websocket::make_error_code(websocket::error::closed).category();
  result.status = answered ? static_cast<int>(response.result_int()) : 0;
  if (ec) {
    result.error = "handshake: " + ec.message();
    ended_ = true;
    return result;
  }
  result.ok = true;
  ended_ = false;
  return result;
}

bool WsClient::write(std::string_view data, bool text, Millis timeout) {
  if (ended_) return false;
  // Like a real peer, keep a read pending while writing: a close frame the
  // other side sends meanwhile is seen even if the write then fails.
  start_read();
  bool done = false;
  beast::error_code ec;
  ws_.text(text);
  ws_.async_write(asio::buffer(data.data(), data.size()), [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_until([&] { return done; }, Clock::now() + timeout)) {
    drop();
    run_until([&] { return done; }, Clock::now() + std::chrono::seconds(2));
    return false;
  }
  return !ec;
}

bool WsClient::send(std::string_view frame, Millis timeout) { return write(frame, true, timeout); }

bool WsClient::send_binary(std::string_view data, Millis timeout) { return write(data, false, timeout); }

bool WsClient::send_fragmented(std::string_view frame, std::size_t fragment_bytes, Millis timeout) {
  if (ended_ || fragment_bytes == 0) return false;
  start_read();
  const auto deadline = Clock::now() + timeout;
  ws_.text(true);
  std::size_t offset = 0;
  do {
    const std::size_t n = std::min(fragment_bytes, frame.size() - offset);
    const bool fin = offset + n == frame.size();
    bool done = false;
    beast::error_code ec;
    ws_.async_write_some(fin, asio::buffer(frame.data() + offset, n), [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!run_until([&] { return done; }, deadline)) {
      drop();
      run_until([&] { return done; }, Clock::now() + std::chrono::seconds(2));
      return false;
    }
    if (ec) return false;
    offset += n;
  } while (offset < frame.size());
  return true;
}

void WsClient::start_read() {
  if (reading_) return;
  reading_ = true;
  read_done_ = false;
  ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
    read_ec_ = ec;
    read_done_ = true;
  });
}

std::optional<std::string> WsClient::read_text(Millis timeout) {
  if (ended_ && !reading_) return std::nullopt;
  start_read();
  if (!run_until([this] { return read_done_; }, Clock::now() + timeout)) return std::nullopt;
  reading_ = false;
  if (read_ec_) {
    ended_ = true;
    // A close frame that came in counts even when answering it then failed
    // (the peer may reset the connection right after its close frame).
    const auto code = static_cast<int>(ws_.reason().code);
    close_code_ = read_ec_ == websocket::error::closed || code != 0 ? code : 1006;
    return std::nullopt;
  }
  std::string frame = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  return frame;
}

std::optional<json> WsClient::read_json(Millis timeout) {
  const auto text = read_text(timeout);
  if (!text) return std::nullopt;
  json parsed = json::parse(*text, nullptr, false);
  if (parsed.is_discarded()) {
    ADD_FAILURE() << "a frame that is not JSON: " << *text;
    return std::nullopt;
  }
  return parsed;
}

std::optional<std::string> WsClient::read_answer_text(std::string_view id, Millis timeout,
                                                      std::vector<json>* skipped) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto text = read_text(left);
    if (!text) return std::nullopt;
    json parsed = json::parse(*text, nullptr, false);
    if (parsed.is_object() && parsed.contains("in_reply_to") && parsed["in_reply_to"] == id) return text;
    if (skipped) skipped->push_back(std::move(parsed));
  }
}

std::optional<json> WsClient::read_answer(std::string_view id, Millis timeout, std::vector<json>* skipped) {
  const auto text = read_answer_text(id, timeout, skipped);
  if (!text) return std::nullopt;
  return json::parse(*text, nullptr, false);
}

std::optional<json> WsClient::read_type(std::string_view type, Millis timeout, std::vector<json>* skipped) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto frame = read_json(left);
    if (!frame) return std::nullopt;
    if (frame->is_object() && frame->value("type", "") == type) return frame;
    if (skipped) skipped->push_back(std::move(*frame));
  }
}

std::optional<int> WsClient::wait_closed(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!ended_) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    if (!read_text(left) && !ended_) return std::nullopt;
  }
  return close_code_;
}

void WsClient::close(Millis timeout) {
  if (ended_) return;
  bool done = false;
  ws_.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  if (!run_until([&] { return done; }, Clock::now() + timeout)) drop();
  run_until([&] { return done; }, Clock::now() + std::chrono::seconds(2));
  // Let the peer's close answer reach the pending read, if any.
  if (reading_) run_until([this] { return read_done_; }, Clock::now() + timeout);
  drop();
}

void WsClient::drop() {
  beast::error_code ignored;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  if (socket.is_open()) {
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
  ended_ = true;
}

// ---- TestGateway ----------------------------------------------------------

TestGateway::TestGateway() : ioc_(std::make_shared<asio::io_context>()), acceptor_(*ioc_) {
  acceptor_.open(tcp::v4());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(loopback(0));
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
}

TestGateway::~TestGateway() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

void TestGateway::pause() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

bool TestGateway::resume() {
  beast::error_code ec;
  if (acceptor_.is_open()) return true;
  acceptor_.open(tcp::v4(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(loopback(port_), ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    ADD_FAILURE() << "gateway resume on port " << port_ << ": " << ec.message();
    beast::error_code ignored;
    acceptor_.close(ignored);
    return false;
  }
  return true;
}

std::unique_ptr<WsClient> TestGateway::accept(Millis timeout, std::string* authorization, std::string* target) {
  const auto deadline = Clock::now() + timeout;
  bool done = false;
  beast::error_code ec;
  tcp::socket socket(*ioc_);
  acceptor_.async_accept(socket, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_io(*ioc_, [&] { return done; }, deadline)) {
    acceptor_.cancel();
    run_io(*ioc_, [&] { return done; }, Clock::now() + std::chrono::seconds(2));
    return nullptr;
  }
  if (ec) return nullptr;

  WsClient::Stream ws(std::move(socket));
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  done = false;
  http::async_read(beast::get_lowest_layer(ws), buffer, request, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  const auto abort = [&] {
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    run_io(*ioc_, [&] { return done; }, Clock::now() + std::chrono::seconds(2));
  };
  if (!run_io(*ioc_, [&] { return done; }, deadline)) {
    abort();
    return nullptr;
  }
  if (ec || !websocket::is_upgrade(request)) return nullptr;
  if (authorization) *authorization = std::string(request[http::field::authorization]);
  if (target) *target = std::string(request.target());
  done = false;
  ws.async_accept(request, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_io(*ioc_, [&] { return done; }, deadline)) {
    abort();
    return nullptr;
  }
  if (ec) return nullptr;
  return std::make_unique<WsClient>(ioc_, std::move(ws));
}

// ---- HTTP -----------------------------------------------------------------

HttpResult http_request(unsigned short port, http::verb method, std::string_view target, std::string_view token,
                        std::string_view body, Millis timeout) {
  Headers headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + std::string(token));
  return http_request_with(port, method, target, headers, body, timeout);
}

HttpResult http_request_with(unsigned short port, http::verb method, std::string_view target, const Headers& headers,
                             std::string_view body, Millis timeout) {
  HttpResult result;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  bool done = false;
  beast::error_code ec;
  const auto deadline = Clock::now() + timeout + std::chrono::seconds(1);
  stream.async_connect(loopback(port), [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (!run_io(ioc, [&] { return done; }, deadline) || ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  http::request<http::string_body> request{method, std::string(target), 11};
  std::string host = "127.0.0.1:";
  host.append(std::to_string(port));
  request.set(http::field::host, host);
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::string(body);
  request.prepare_payload();
  done = false;
  http::async_write(stream, request, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_io(ioc, [&] { return done; }, deadline) || ec) {
    result.error = "write: " + ec.message();
    return result;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  done = false;
  http::async_read(stream, buffer, response, [&](beast::error_code e, std::size_t) {
    ec = e;
    done = true;
  });
  if (!run_io(ioc, [&] { return done; }, deadline) || ec) {
    result.error = "read: " + ec.message();
    return result;
  }
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  for (const auto& field : response) result.headers.emplace_back(field.name_string(), field.value());
  return result;
}

}  // namespace xiaoer::it
