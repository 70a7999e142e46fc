// Test-side peers of the daemon, written with Boost.Beast (not the daemon's
// own session classes): a websocket client with timeouts, a tiny websocket
// server that plays the gateway in client mode, and a one-shot HTTP client.
//
// Every operation is bounded: it runs the peer's own io_context for at most
// the given timeout. A read that times out stays pending, so the connection
// remains usable and the next read picks the frame up.
//
// Thread safety: none; use each object from one thread (the test's).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::it {

using json = nlohmann::json;
using Millis = std::chrono::milliseconds;
inline constexpr Millis kDefaultTimeout{5000};
// Request headers a test adds (Cookie, Origin, …).
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Handshake {
  bool ok = false;
  int status = 0;     // the HTTP status of the upgrade answer (101 when ok), 0 if none came
  std::string error;  // why it failed
};

class WsClient {
 public:
  using Stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  WsClient();
  // A connection accepted by TestGateway (shares its io_context).
  WsClient(std::shared_ptr<boost::asio::io_context> ioc, Stream stream);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Opens ws://127.0.0.1:port<path><query> ("?agent=li", …), with
  // "Authorization: Bearer <token>" unless token is empty, and `headers`.
  Handshake connect(unsigned short port, std::string_view path, std::string_view token,
                    std::string_view query = "", Millis timeout = kDefaultTimeout, const Headers& headers = {});

  // Writes one text (or binary) frame; false if the write failed or timed out.
  bool send(std::string_view frame, Millis timeout = kDefaultTimeout);
  bool send_binary(std::string_view data, Millis timeout = kDefaultTimeout);
  // Writes one text message as continuation frames of `fragment_bytes` each
  // (the last one has FIN); false if a write failed or timed out.
  bool send_fragmented(std::string_view frame, std::size_t fragment_bytes, Millis timeout = kDefaultTimeout);

  // The next text frame, or nullopt on timeout or when the connection ended.
  std::optional<std::string> read_text(Millis timeout = kDefaultTimeout);
  // The next frame parsed as JSON (a frame that is not JSON is a test failure).
  std::optional<json> read_json(Millis timeout = kDefaultTimeout);
  // Reads until the frame whose in_reply_to is `id` (its raw text); the frames
  // passed over on the way go to *skipped when given.
  std::optional<std::string> read_answer_text(std::string_view id, Millis timeout = kDefaultTimeout,
                                              std::vector<json>* skipped = nullptr);
  std::optional<json> read_answer(std::string_view id, Millis timeout = kDefaultTimeout,
                                  std::vector<json>* skipped = nullptr);
  // Reads until a frame with "type" == type.
  std::optional<json> read_type(std::string_view type, Millis timeout = kDefaultTimeout,
                                std::vector<json>* skipped = nullptr);

  // Reads (and drops frames) until the peer ends the connection. The close
  // code (1006 when it ended without a close frame), or nullopt if it was
  // still open at the timeout.
  std::optional<int> wait_closed(Millis timeout = kDefaultTimeout);

  bool is_open() const { return !ended_; }
  // Why the connection ended, for failure messages ("" while open).
  std::string end_reason() const { return ended_ ? read_ec_.message() : std::string(); }
  // A websocket close (code 1000), bounded.
  void close(Millis timeout = Millis(2000));
  // Closes the TCP socket at once, no close frame (a crashed or cut peer).
  void drop();

 private:
  bool write(std::string_view data, bool text, Millis timeout);
  // Runs the io_context until done() or the deadline.
  template <typename Done>
  bool run_until(Done done, std::chrono::steady_clock::time_point deadline);
  void start_read();

  std::shared_ptr<boost::asio::io_context> ioc_;
  Stream ws_;
  boost::beast::flat_buffer buffer_;
  bool reading_ = false;      // an async_read is pending
  bool read_done_ = false;    // … and has completed
  boost::beast::error_code read_ec_;
  bool ended_ = false;
  int close_code_ = 0;
};

// The gateway, for client mode: listens on 127.0.0.1:<free port> and accepts
// websocket upgrades on any path.
class TestGateway {
 public:
  TestGateway();
  ~TestGateway();
  unsigned short port() const { return port_; }
  // One accepted websocket connection, or nullptr on timeout. *authorization
  // gets the upgrade request's Authorization header, *target its target.
  std::unique_ptr<WsClient> accept(Millis timeout, std::string* authorization = nullptr,
                                   std::string* target = nullptr);
  // The gateway vanishes: the listening socket is closed, so dials to the
  // port are refused (connections already accepted stay as they are).
  void pause();
  // It comes back on the same port; false if the port could not be bound.
  bool resume();

 private:
  std::shared_ptr<boost::asio::io_context> ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
};

struct HttpResult {
  int status = 0;  // 0 when no answer came
  std::string body;
  std::string error;
  Headers headers;  // the response's
  json body_json() const { return json::parse(body, nullptr, false); }
  // The first value of header `name` (case-insensitive), "" if none.
  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (boost::beast::iequals(n, name)) return v;
    }
    return {};
  }
};

// One HTTP/1.1 request to 127.0.0.1:port ("Connection: close"), with
// "Authorization: Bearer <token>" unless token is empty.
HttpResult http_request(unsigned short port, boost::beast::http::verb method, std::string_view target,
                        std::string_view token = "", std::string_view body = "", Millis timeout = kDefaultTimeout);
// The same with any request headers.
HttpResult http_request_with(unsigned short port, boost::beast::http::verb method, std::string_view target,
                             const Headers& headers, std::string_view body = "", Millis timeout = kDefaultTimeout);

}  // namespace xiaoer::it
