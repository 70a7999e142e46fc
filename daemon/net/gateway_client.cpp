#include "daemon/net/gateway_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <openssl/ssl.h>

#include <spdlog/spdlog.h>

#include "daemon/net/ws_session.hpp"

namespace xiaoer::net {

namespace beast = boost::beast;

std::optional<WsUrl> parse_ws_url(std::string_view url) {
  WsUrl out;
  if (url.starts_with("wss://")) {
    out.tls = true;
    url.remove_prefix(6);
  } else if (url.starts_with("ws://")) {
    url.remove_prefix(5);
  } else {
    return std::nullopt;
  }
  const std::string default_port = out.tls ? "443" : "80";
  const std::size_t slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (authority.empty()) return std::nullopt;
  // "[::1]:8080" for IPv6.
  const std::size_t host_end = authority.front() == '[' ? authority.find(']') : authority.rfind(':');
  if (authority.front() == '[') {
    if (host_end == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, host_end - 1));
    const std::string_view after = authority.substr(host_end + 1);
    out.port = after.empty() ? default_port : std::string(after.substr(1));
  } else {
    out.host = std::string(authority.substr(0, host_end));
    out.port = host_end == std::string_view::npos ? default_port : std::string(authority.substr(host_end + 1));
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

std::shared_ptr<GatewayDialer> make_gateway_client(boost::asio::io_context& ioc, GatewayDialer::Options options,
                                                   MessageHandler& handler, ConnectionRegistry& registry,
                                                   std::function<SessionLimits()> limits) {
  if (options.url.tls) {
    return std::make_shared<GatewayClient<beast::ssl_stream<beast::tcp_stream>>>(ioc, std::move(options), handler,
                                                                                 registry, std::move(limits));
  }
  return std::make_shared<GatewayClient<beast::tcp_stream>>(ioc, std::move(options), handler, registry,
                                                            std::move(limits));
}

template <class NextLayer>
GatewayClient<NextLayer>::GatewayClient(boost::asio::io_context& ioc, Options options, MessageHandler& handler,
                                        ConnectionRegistry& registry, std::function<SessionLimits()> limits)
    : strand_(boost::asio::make_strand(ioc)),
      resolver_(strand_),
      timer_(strand_),
      options_(std::move(options)),
      handler_(handler),
      registry_(registry),
      limits_(std::move(limits)),
      delay_(options_.backoff.min),
      random_(std::random_device{}()) {}

template <class NextLayer>
void GatewayClient<NextLayer>::start() {
  boost::asio::post(strand_, [self = self()] { self->dial(); });
}

template <class NextLayer>
void GatewayClient<NextLayer>::stop() {
  boost::asio::post(strand_, [self = self()] {
    self->stopped_ = true;
    self->timer_.cancel();
    self->resolver_.cancel();
    if (self->ws_) {
      beast::error_code ignored;
      beast::get_lowest_layer(*self->ws_).socket().close(ignored);
    }
  });
}

template <class NextLayer>
void GatewayClient<NextLayer>::dial() {
  if (stopped_) return;
  resolver_.async_resolve(options_.url.host, options_.url.port,
                          beast::bind_front_handler(&GatewayClient::on_resolve, self()));
}

template <class NextLayer>
void GatewayClient<NextLayer>::on_resolve(beast::error_code ec, boost::asio::ip::tcp::resolver::results_type results) {
  if (ec) return retry("resolve " + options_.url.host + ": " + ec.message());
  if constexpr (kTls) {
    ws_.emplace(strand_, *options_.tls);
  } else {
    ws_.emplace(strand_);
  }
  beast::get_lowest_layer(*ws_).expires_after(limits_().handshake_timeout);
  beast::get_lowest_layer(*ws_).async_connect(results, beast::bind_front_handler(&GatewayClient::on_connect, self()));
}

template <class NextLayer>
void GatewayClient<NextLayer>::on_connect(beast::error_code ec, boost::asio::ip::tcp::endpoint endpoint) {
  if (ec) return retry("connect: " + ec.message());
  port_ = endpoint.port();
  beast::error_code ignored;
  beast::get_lowest_layer(*ws_).socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  if constexpr (kTls) {
    auto& tls = ws_->next_layer();
    // SNI (for a name: RFC 6066 sends no IP address), and the certificate
    // must name the host we dialled.
    beast::error_code not_an_address;
    boost::asio::ip::make_address(options_.url.host, not_an_address);
    if (not_an_address && SSL_set_tlsext_host_name(tls.native_handle(), options_.url.host.c_str()) != 1) {
      return retry("TLS: cannot set the server name " + options_.url.host);
    }
    tls.set_verify_mode(boost::asio::ssl::verify_peer);
    tls.set_verify_callback(boost::asio::ssl::host_name_verification(options_.url.host));
    beast::get_lowest_layer(*ws_).expires_after(limits_().handshake_timeout);
    tls.async_handshake(boost::asio::ssl::stream_base::client,
                        beast::bind_front_handler(&GatewayClient::on_tls_handshake, self()));
  } else {
    upgrade();
  }
}

template <class NextLayer>
void GatewayClient<NextLayer>::on_tls_handshake(beast::error_code ec) {
  if (ec) return retry("TLS handshake with " + options_.url.host + ": " + ec.message());
  upgrade();
}

template <class NextLayer>
void GatewayClient<NextLayer>::upgrade() {
  ws_->set_option(beast::websocket::stream_base::decorator([token = options_.token](beast::websocket::request_type& req) {
    req.set(beast::http::field::authorization, "Bearer " + token);
    req.set(beast::http::field::user_agent, "xiaoerd");
  }));
  const std::string host = options_.url.host + ":" + std::to_string(port_);
  ws_->async_handshake(host, options_.url.target, beast::bind_front_handler(&GatewayClient::on_upgrade, self()));
}

template <class NextLayer>
void GatewayClient<NextLayer>::on_upgrade(beast::error_code ec) {
  if (ec) return retry("handshake: " + ec.message());
  if (stopped_) return;
  delay_ = options_.backoff.min;
  spdlog::info("connected to the gateway at {}://{}:{}{}", kTls ? "wss" : "ws", options_.url.host, options_.url.port,
               options_.url.target);
  auto session = std::make_shared<WsSession<NextLayer>>(std::move(*ws_), Role::kGateway, handler_, registry_, limits_());
  ws_.reset();
  session->start([self = self()] {
    boost::asio::post(self->strand_, [self] { self->retry("the gateway connection ended"); });
  });
}

template <class NextLayer>
void GatewayClient<NextLayer>::retry(const std::string& why) {
  ws_.reset();
  if (stopped_) return;
  std::uniform_int_distribution<long> jitter(delay_.count() / 2, delay_.count());
  const std::chrono::milliseconds wait(jitter(random_));
  spdlog::warn("gateway: {}; dialling again in {} ms", why, wait.count());
  delay_ = std::min(delay_ * 2, options_.backoff.max);
  timer_.expires_after(wait);
  timer_.async_wait([self = self()](beast::error_code ec) {
    if (!ec) self->dial();
  });
}

template class GatewayClient<beast::tcp_stream>;
template class GatewayClient<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace xiaoer::net
