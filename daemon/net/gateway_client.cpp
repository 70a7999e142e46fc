#include "daemon/net/gateway_client.hpp"

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "daemon/net/ws_session.hpp"

namespace xiaoer::net {

namespace beast = boost::beast;

std::optional<WsUrl> parse_ws_url(std::string_view url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  WsUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (authority.empty()) return std::nullopt;
  // "[::1]:8080" for IPv6; the port defaults to 80.
  const std::size_t host_end = authority.front() == '[' ? authority.find(']') : authority.rfind(':');
  if (authority.front() == '[') {
    if (host_end == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, host_end - 1));
    const std::string_view after = authority.substr(host_end + 1);
    out.port = after.empty() ? "80" : std::string(after.substr(1));
  } else {
    out.host = std::string(authority.substr(0, host_end));
    out.port = host_end == std::string_view::npos ? "80" : std::string(authority.substr(host_end + 1));
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

GatewayClient::GatewayClient(boost::asio::io_context& ioc, Options options, MessageHandler& handler,
                             ConnectionRegistry& registry, std::function<SessionLimits()> limits)
    : strand_(boost::asio::make_strand(ioc)),
      resolver_(strand_),
      timer_(strand_),
      options_(std::move(options)),
      handler_(handler),
      registry_(registry),
      limits_(std::move(limits)),
      delay_(options_.reconnect_min),
      random_(std::random_device{}()) {}

void GatewayClient::start() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->dial(); });
}

void GatewayClient::stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
    self->resolver_.cancel();
    if (self->ws_) {
      beast::error_code ignored;
      beast::get_lowest_layer(*self->ws_).socket().close(ignored);
    }
  });
}

void GatewayClient::dial() {
  if (stopped_) return;
  resolver_.async_resolve(options_.url.host, options_.url.port,
                          beast::bind_front_handler(&GatewayClient::on_resolve, shared_from_this()));
}

void GatewayClient::on_resolve(beast::error_code ec, boost::asio::ip::tcp::resolver::results_type results) {
  if (ec) return retry("resolve " + options_.url.host + ": " + ec.message());
  ws_.emplace(strand_);
  beast::get_lowest_layer(*ws_).expires_after(limits_().handshake_timeout);
  beast::get_lowest_layer(*ws_).async_connect(results,
                                              beast::bind_front_handler(&GatewayClient::on_connect, shared_from_this()));
}

void GatewayClient::on_connect(beast::error_code ec, boost::asio::ip::tcp::endpoint endpoint) {
  if (ec) return retry("connect: " + ec.message());
  beast::error_code ignored;
  beast::get_lowest_layer(*ws_).socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  ws_->set_option(beast::websocket::stream_base::decorator([token = options_.token](beast::websocket::request_type& req) {
    req.set(beast::http::field::authorization, "Bearer " + token);
    req.set(beast::http::field::user_agent, "xiaoerd");
  }));
  const std::string host = options_.url.host + ":" + std::to_string(endpoint.port());
  ws_->async_handshake(host, options_.url.target,
                       beast::bind_front_handler(&GatewayClient::on_handshake, shared_from_this()));
}

void GatewayClient::on_handshake(beast::error_code ec) {
  if (ec) return retry("handshake: " + ec.message());
  if (stopped_) return;
  ++connections_;
  delay_ = options_.reconnect_min;
  spdlog::info("connected to the gateway at {}:{}{}", options_.url.host, options_.url.port, options_.url.target);
  auto session = std::make_shared<PlainWsSession>(std::move(*ws_), Role::kGateway, handler_, registry_, limits_());
  ws_.reset();
  session->start([self = shared_from_this()] {
    boost::asio::post(self->strand_, [self] { self->retry("the gateway connection ended"); });
  });
}

void GatewayClient::retry(const std::string& why) {
  ws_.reset();
  if (stopped_) return;
  std::uniform_int_distribution<long> jitter(delay_.count() / 2, delay_.count());
  const std::chrono::milliseconds wait(jitter(random_));
  spdlog::warn("gateway: {}; dialling again in {} ms", why, wait.count());
  delay_ = std::min(delay_ * 2, options_.reconnect_max);
  timer_.expires_after(wait);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->dial();
  });
}

}  // namespace xiaoer::net
