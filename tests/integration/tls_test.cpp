// Direct TLS against the real daemon (issue 5 item 5; docs/operations.md
// "TLS"): a throwaway CA and a server certificate for 127.0.0.1/localhost
// made with the openssl CLI; clients that verify the chain and the host name
// get wss:// and https://, TLS 1.2 and 1.3 only; TLS 1.1, plain ws:// and a
// client that trusts another CA are refused; a silent TLS peer is cut at the
// handshake timeout.
#include "tests/integration/it_support.hpp"

#include <openssl/ssl.h>

#include <csignal>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

namespace xiaoer::it {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Runs one async operation on `ioc` to completion or `timeout` (then the
// socket is closed and asio::error::timed_out returned).
template <typename Start>
beast::error_code await(asio::io_context& ioc, beast::tcp_stream& lowest, Start start, Millis timeout = 5000ms) {
  bool done = false;
  beast::error_code ec;
  start([&](beast::error_code e, auto&&...) {
    ec = e;
    done = true;
  });
  const auto deadline = Clock::now() + timeout;
  const auto run = [&](Clock::time_point until) {
    while (!done && Clock::now() < until) {
      if (ioc.stopped()) ioc.restart();
      ioc.run_one_until(until);
    }
  };
  run(deadline);
  if (done) return ec;
  beast::error_code ignored;
  lowest.socket().close(ignored);
  run(Clock::now() + 2s);
  return asio::error::timed_out;
}

// A wss:// client: TCP, TLS (verifying as `ctx` says, and the host name when
// `verify_host` is set), then the websocket upgrade with the gateway token.
class WssClient {
 public:
  explicit WssClient(ssl::context& ctx) : ws_(ioc_, ctx) {}

  // "" on success, else why it failed.
  std::string connect(unsigned short port, const std::string& verify_host, std::string_view token) {
    auto& lowest = beast::get_lowest_layer(ws_);
    if (auto ec = await(ioc_, lowest, [&](auto h) { lowest.async_connect({asio::ip::address_v4::loopback(), port}, h); })) {
      return "connect: " + ec.message();
    }
    TlsStream& tls = ws_.next_layer();
    if (!verify_host.empty()) {
      tls.set_verify_callback(ssl::host_name_verification(verify_host));
      beast::error_code not_an_address;
      (void)asio::ip::make_address(verify_host, not_an_address);
      if (not_an_address) SSL_set_tlsext_host_name(tls.native_handle(), verify_host.c_str());  // SNI: names only
    }
    if (auto ec = await(ioc_, lowest, [&](auto h) { tls.async_handshake(ssl::stream_base::client, h); })) {
      return "tls handshake: " + ec.message();
    }
    version_ = SSL_get_version(tls.native_handle());
    ws_.set_option(websocket::stream_base::decorator([token = std::string(token)](websocket::request_type& req) {
      req.set(http::field::authorization, "Bearer " + token);
    }));
    std::string host = "127.0.0.1:";
    host.append(std::to_string(port));
    if (auto ec = await(ioc_, lowest, [&](auto h) { ws_.async_handshake(host, "/v1/gateway", h); })) {
      return "websocket handshake: " + ec.message();
    }
    return "";
  }

  std::optional<json> ask(const std::string& id, const std::string& chat, const std::string& text) {
    auto& lowest = beast::get_lowest_layer(ws_);
    const std::string frame = message_frame(id, chat, text);
    ws_.text(true);
    if (await(ioc_, lowest, [&](auto h) { ws_.async_write(asio::buffer(frame), h); })) return std::nullopt;
    for (;;) {
      beast::flat_buffer buffer;
      if (await(ioc_, lowest, [&](auto h) { ws_.async_read(buffer, h); })) return std::nullopt;
      json answer = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      if (answer.is_object() && answer.value("in_reply_to", "") == id) return answer;
    }
  }

  const std::string& version() const { return version_; }

 private:
  asio::io_context ioc_;
  websocket::stream<TlsStream> ws_;
  std::string version_;
};

// GET over https://; the status (0 if none came) and body.
HttpResult https_get(ssl::context& ctx, unsigned short port, const std::string& target) {
  HttpResult result;
  asio::io_context ioc;
  TlsStream stream(ioc, ctx);
  auto& lowest = beast::get_lowest_layer(stream);
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  if (auto ec = await(ioc, lowest, [&](auto h) { lowest.async_connect({asio::ip::address_v4::loopback(), port}, h); })) {
    result.error = "connect: " + ec.message();
    return result;
  }
  if (auto ec = await(ioc, lowest, [&](auto h) { stream.async_handshake(ssl::stream_base::client, h); })) {
    result.error = "tls handshake: " + ec.message();
    return result;
  }
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, numbered("127.0.0.1:", port));
  request.set(http::field::connection, "close");
  if (auto ec = await(ioc, lowest, [&](auto h) { http::async_write(stream, request, h); })) {
    result.error = "write: " + ec.message();
    return result;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (auto ec = await(ioc, lowest, [&](auto h) { http::async_read(stream, buffer, response, h); })) {
    result.error = "read: " + ec.message();
    return result;
  }
  result.status = static_cast<int>(response.result_int());
  result.body = response.body();
  return result;
}

// The throwaway PKI, made once for the suite in its own temp dir.
struct Pki {
  fs::path dir;
  fs::path ca_cert, other_ca_cert, server_cert, server_key;
  fs::path renewed_cert, renewed_key;  // for the same names, signed by the other CA
  std::string error;
};

Pki* pki = nullptr;

bool run_openssl(const fs::path& dir, const std::string& args, std::string* error) {
  const std::string command = "cd '" + dir.string() + "' && openssl " + args + " >>openssl.log 2>&1";
  if (std::system(command.c_str()) == 0) return true;
  *error = "openssl " + args + " failed:\n" + read_file(dir / "openssl.log");
  return false;
}

Pki make_pki() {
  Pki p;
  std::string pattern = (fs::temp_directory_path() / "xiaoer-tls-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    p.error = "mkdtemp failed";
    return p;
  }
  p.dir = pattern;
  {
    std::ofstream ext(p.dir / "server.ext");
    ext << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        << "basicConstraints=critical,CA:FALSE\n"
        << "keyUsage=critical,digitalSignature,keyEncipherment\n"
        << "extendedKeyUsage=serverAuth\n";
  }
  const std::string ec_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string ca_ext = " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
  const bool ok =
      run_openssl(p.dir, "req -x509 " + ec_key + " -keyout ca.key -out ca.crt -days 2 -subj '/CN=xiaoer test CA'" + ca_ext,
                  &p.error) &&
      run_openssl(p.dir,
                  "req -x509 " + ec_key + " -keyout other.key -out other.crt -days 2 -subj '/CN=another test CA'" + ca_ext,
                  &p.error) &&
      run_openssl(p.dir, "req " + ec_key + " -keyout server.key -out server.csr -subj '/CN=localhost'", &p.error) &&
      run_openssl(p.dir,
                  "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 4242 -days 2 -extfile server.ext "
                  "-out server.crt",
                  &p.error) &&
      run_openssl(p.dir, "req " + ec_key + " -keyout renewed.key -out renewed.csr -subj '/CN=localhost'", &p.error) &&
      run_openssl(p.dir,
                  "x509 -req -in renewed.csr -CA other.crt -CAkey other.key -set_serial 4343 -days 2 "
                  "-extfile server.ext -out renewed.crt",
                  &p.error);
  if (!ok) return p;
  p.ca_cert = p.dir / "ca.crt";
  p.other_ca_cert = p.dir / "other.crt";
  p.server_cert = p.dir / "server.crt";
  p.server_key = p.dir / "server.key";
  p.renewed_cert = p.dir / "renewed.crt";
  p.renewed_key = p.dir / "renewed.key";
  fs::permissions(p.server_key, fs::perms::owner_read | fs::perms::owner_write);
  return p;
}

// A client context for TLS 1.2 or 1.3 that trusts only `ca`.
ssl::context verifying_context(ssl::context::method method, const fs::path& ca) {
  ssl::context ctx(method);
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.load_verify_file(ca.string());
  return ctx;
}

class TlsTest : public ItTest {
 protected:
  static void SetUpTestSuite() { pki = new Pki(make_pki()); }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (!pki->dir.empty()) fs::remove_all(pki->dir, ec);
    delete pki;
    pki = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(pki->error.empty()) << pki->error;
    DaemonConfig config;
    config.tls_cert = pki->server_cert.string();
    config.tls_key = pki->server_key.string();
    config.handshake_timeout_s = 1;
    config.log_level = "debug";
    ASSERT_TRUE(start_with(config));
  }

  // The daemon's /metrics over verified https.
  std::string metrics_over_tls() {
    auto ctx = verifying_context(ssl::context::tlsv12_client, pki->ca_cert);
    return https_get(ctx, port(), "/metrics").body;
  }

  // A wss:// client that verifies the chain and 127.0.0.1 gets a reply.
  void expect_wss_reply(const std::string& tag) {
    auto ctx = verifying_context(ssl::context::tlsv12_client, pki->ca_cert);
    WssClient client(ctx);
    const std::string error = client.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken);
    ASSERT_EQ(error, "") << tag;
    const auto answer = client.ask("wss-" + tag, "tls:" + tag, "发什么快递");
    ASSERT_TRUE(answer) << tag;
    EXPECT_EQ((*answer)["type"], "reply") << answer->dump();
  }
};

TEST_F(TlsTest, VerifiedWssClientGetsAReplyOverTls12And13) {
  for (const auto& [method, name] : {std::pair{ssl::context::tlsv12_client, "TLSv1.2"},
                                     std::pair{ssl::context::tlsv13_client, "TLSv1.3"}}) {
    auto ctx = verifying_context(method, pki->ca_cert);
    for (const std::string host : {"127.0.0.1", "localhost"}) {
      WssClient client(ctx);
      const std::string error = client.connect(port(), host, DaemonProcess::kGatewayToken);
      ASSERT_EQ(error, "") << name << " verifying " << host;
      EXPECT_EQ(client.version(), name);
      const auto answer = client.ask(std::string("t-") + name + host, "tls:ok", "发什么快递");
      ASSERT_TRUE(answer) << name;
      EXPECT_EQ((*answer)["type"], "reply") << answer->dump();
      EXPECT_EQ((*answer)["in_reply_to"], std::string("t-") + name + host);
    }
  }
  // The listening line says wss://.
  EXPECT_NE(daemon_->log().find("wss://127.0.0.1:"), std::string::npos) << daemon_->log();
}

TEST_F(TlsTest, HttpsHealthzAndMetricsWork) {
  auto ctx = verifying_context(ssl::context::tlsv12_client, pki->ca_cert);
  const HttpResult health = https_get(ctx, port(), "/healthz");
  EXPECT_EQ(health.status, 200) << health.error;
  const HttpResult metrics = https_get(ctx, port(), "/metrics");
  EXPECT_EQ(metrics.status, 200) << metrics.error;
  EXPECT_NE(metrics.body.find("xiaoer_connections"), std::string::npos);
}

TEST_F(TlsTest, Tls11ClientIsRefused) {
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX* native = ctx.native_handle();
  // Allow the old versions on our side (Debian's defaults forbid them), so
  // that it is the daemon that says no.
  SSL_CTX_set_security_level(native, 0);
  ASSERT_EQ(SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0"), 1);
  ASSERT_EQ(SSL_CTX_set_min_proto_version(native, TLS1_VERSION), 1);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(native, TLS1_1_VERSION), 1);
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.load_verify_file(pki->ca_cert.string());
  const std::size_t from = daemon_->log().size();
  WssClient client(ctx);
  const std::string error = client.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken);
  ASSERT_NE(error, "") << "a TLS 1.1 client got in (" << client.version() << ")";
  EXPECT_NE(error.find("tls handshake"), std::string::npos) << error;
  EXPECT_EQ(error.find("no protocols available"), std::string::npos) << "the client refused itself: " << error;
  std::cout << "[ tls1.1   ] " << error << "\n";
  // The daemon saw the attempt and refused it.
  EXPECT_TRUE(daemon_->wait_for_log("TLS handshake failed", 2s, from)) << daemon_->log().substr(from);
  expect_wss_reply("after-tls11");
}

TEST_F(TlsTest, PlainClientsAndUntrustingClientsFail) {
  // ws:// to the TLS port: no upgrade.
  {
    WsClient plain;
    const Handshake h = plain.connect(port(), "/v1/gateway", DaemonProcess::kGatewayToken, "", 3000ms);
    EXPECT_FALSE(h.ok);
    EXPECT_NE(h.status, 101) << h.error;
  }
  // http:// to the TLS port: no HTTP answer.
  {
    const HttpResult r = http_request(port(), http::verb::get, "/healthz", "", "", 3000ms);
    EXPECT_NE(r.status, 200) << "plain HTTP was served on the TLS port";
  }
  // A client that trusts another CA, or checks another name, refuses the daemon.
  {
    auto ctx = verifying_context(ssl::context::tlsv12_client, pki->other_ca_cert);
    WssClient client(ctx);
    const std::string error = client.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken);
    EXPECT_NE(error.find("tls handshake"), std::string::npos) << "a client trusting another CA accepted the daemon";
  }
  {
    auto ctx = verifying_context(ssl::context::tlsv12_client, pki->ca_cert);
    WssClient client(ctx);
    const std::string error = client.connect(port(), "example.com", DaemonProcess::kGatewayToken);
    EXPECT_NE(error.find("tls handshake"), std::string::npos) << "host name verification did not fail for example.com";
  }
  // Over TLS, the token rules still hold.
  {
    auto ctx = verifying_context(ssl::context::tlsv12_client, pki->ca_cert);
    WssClient client(ctx);
    const std::string error = client.connect(port(), "127.0.0.1", DaemonProcess::kAgentToken);
    EXPECT_NE(error.find("websocket handshake"), std::string::npos) << "an agent token opened /v1/gateway: " << error;
  }
  expect_wss_reply("after-plain");
}

// A renewed certificate is served to new connections after a SIGHUP; open
// connections keep going; a certificate file that does not load fails the
// reload and the one in service stays.
TEST_F(TlsTest, ReloadServesARenewedCertificate) {
  // A daemon of its own over copies of the files (the suite shares the PKI).
  const fs::path files = pki->dir / "renewal";
  fs::create_directories(files);
  const fs::path cert = files / "server.crt";
  const fs::path key = files / "server.key";
  fs::copy_file(pki->server_cert, cert, fs::copy_options::overwrite_existing);
  fs::copy_file(pki->server_key, key, fs::copy_options::overwrite_existing);
  DaemonConfig config;
  config.tls_cert = cert.string();
  config.tls_key = key.string();
  ASSERT_TRUE(start_with(config));

  auto trusts_first = verifying_context(ssl::context::tlsv12_client, pki->ca_cert);
  auto trusts_other = verifying_context(ssl::context::tlsv12_client, pki->other_ca_cert);
  WssClient open_before(trusts_first);
  ASSERT_EQ(open_before.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken), "");

  fs::copy_file(pki->renewed_cert, cert, fs::copy_options::overwrite_existing);
  fs::copy_file(pki->renewed_key, key, fs::copy_options::overwrite_existing);
  std::size_t from = daemon_->log().size();
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_log("rules in service", 10s, from)) << daemon_->log().substr(from);
  {
    WssClient renewed(trusts_other);
    ASSERT_EQ(renewed.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken), "")
        << "the renewed certificate is not served";
    const auto answer = renewed.ask("renewed-1", "tls:renewed", "发什么快递");
    ASSERT_TRUE(answer);
    EXPECT_EQ((*answer)["type"], "reply") << answer->dump();
    WssClient stale(trusts_first);
    EXPECT_NE(stale.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken).find("tls handshake"),
              std::string::npos)
        << "the old certificate is still served to new connections";
  }
  const auto still = open_before.ask("before-1", "tls:before", "发什么快递");
  ASSERT_TRUE(still) << "a connection opened before the reload was dropped";
  EXPECT_EQ((*still)["type"], "reply") << still->dump();

  {
    std::ofstream broken(cert, std::ios::trunc);
    broken << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  }
  from = daemon_->log().size();
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_log("keeping the running set", 10s, from)) << daemon_->log().substr(from);
  EXPECT_NE(daemon_->log().find(cert.string(), from), std::string::npos)
      << "the error does not name the file: " << daemon_->log().substr(from);
  WssClient after_failure(trusts_other);
  EXPECT_EQ(after_failure.connect(port(), "127.0.0.1", DaemonProcess::kGatewayToken), "")
      << "a failed reload changed the certificate in service";
}

// Client mode over wss://: a daemon dials a TLS gateway (here a second
// xiaoerd serving wss://), verifies its chain and its name or IP address,
// and upgrades with its token. Trusting another CA, it refuses the gateway
// and dials again.
TEST_F(TlsTest, ClientModeDialsAWssGatewayAndVerifiesIt) {
  for (const auto& [trusted, host] : {std::pair{true, "localhost"}, std::pair{true, "127.0.0.1"},
                                      std::pair{false, "localhost"}}) {
    SCOPED_TRACE(std::string(trusted ? "trusting the gateway's CA, " : "trusting another CA, ") + host);
    DaemonConfig config;
    config.mode = "client";
    config.url = std::string("wss://") + host + ":";
    config.url.append(std::to_string(port())).append("/v1/gateway");
    config.gateway_ca_file = (trusted ? pki->ca_cert : pki->other_ca_cert).string();
    config.reconnect_min_ms = 50;
    config.reconnect_max_ms = 200;
    DaemonProcess client(config);
    std::string error;
    ASSERT_TRUE(client.start(&error)) << error;
    const auto gateways = [&] {
      return metric_sample(metrics_over_tls(), "xiaoer_connections{role=\"gateway\"}").value_or(-1);
    };
    if (trusted) {
      EXPECT_TRUE(client.wait_for_log(std::string("connected to the gateway at wss://") + host + ":", 5s))
          << client.log();
      EXPECT_TRUE(wait_until([&] { return gateways() == 1.0; }, 5s)) << "the gateway never saw the client";
    } else {
      EXPECT_TRUE(client.wait_for_log("certificate verify failed", 5s)) << client.log();
      EXPECT_TRUE(client.wait_for_log("dialling again", 5s)) << client.log();
      EXPECT_EQ(gateways(), 0.0);
    }
    client.stop();
    EXPECT_TRUE(wait_until([&] { return gateways() == 0.0; }, 5s));
  }
}

// A TCP peer that never starts its TLS handshake is closed at
// limits.handshake_timeout_s (1 s here).
TEST_F(TlsTest, SilentPeerIsCutAtTheTlsHandshakeTimeout) {
  RawConn silent;
  ASSERT_TRUE(silent.connect(port()));
  const auto t0 = Clock::now();
  EXPECT_EQ(silent.wait_closed(4s), RawConn::Io::kClosed) << "still open 4 s later";
  EXPECT_LT(Clock::now() - t0, 2500ms);
  // And one that sends half a ClientHello, then stops.
  RawConn half;
  ASSERT_TRUE(half.connect(port()));
  const std::string hello_start("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  ASSERT_EQ(half.send_all(hello_start), RawConn::Io::kOk);
  const auto t1 = Clock::now();
  EXPECT_EQ(half.wait_closed(4s), RawConn::Io::kClosed);
  EXPECT_LT(Clock::now() - t1, 2500ms);
  expect_wss_reply("after-silent");
}

}  // namespace
}  // namespace xiaoer::it
