// echo_server: the bare transport baseline for the daemon's figures.
//
//   echo_server [--port P] [--threads N] [--token TOKEN | --token-file FILE]
//
// A Beast websocket server on the daemon's thread model and nothing else:
// one io_context run by --threads threads (default: one per core), a strand
// per accepted connection (make_strand), at most one read and one write in
// flight, a bounded outbound deque (1024 frames; past it the peer is closed
// with 1008), read_message_max 64 KiB, Beast's suggested server timeouts.
// It accepts websocket upgrades on /v1/gateway only (checking
// "Authorization: Bearer TOKEN" when a token is given), parses every text
// frame with nlohmann (parse(frame, nullptr, false), no exceptions) and
// answers a fixed `reply` frame, encoded by the daemon's codec, with the
// frame's id as in_reply_to and its chat. As in the daemon, the answer goes
// through send(), which posts onto the connection's strand.
//
// Whatever throughput the load generator gets from it is the ceiling the
// daemon can approach on the same machine: the difference is the daemon's
// own work above the transport.
//
// Prints "listening on 127.0.0.1:PORT" (port 0: the kernel picks one) and
// runs until SIGINT or SIGTERM.
//
// For the load generator's own tests it can misbehave on purpose:
// --drop-every N leaves every Nth frame of a connection unanswered, and
// --duplicate-every N answers every Nth frame twice.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/tool_main.hpp"
#include "daemon/proto/codec.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

constexpr std::string_view kUsage =
    "usage: echo_server [--address A] [--port P] [--threads N] [--token TOKEN | --token-file FILE]\n"
    "\n"
    "The transport baseline: a websocket server on xiaoerd's thread model that answers every\n"
    "message on /v1/gateway with a fixed reply. --port 0 (the default) picks a free port;\n"
    "--threads defaults to one per core; without a token any client is accepted.\n"
    "Faults, to test a client: --drop-every N (no answer to every Nth frame of a connection),\n"
    "--duplicate-every N (two answers to every Nth frame).\n";

constexpr std::size_t kMaxFrameBytes = 64 * 1024;
constexpr std::size_t kMaxOutboundFrames = 1024;
constexpr std::string_view kReplyText = "亲，在的～有什么可以帮您？";

// Deliberate faults (0: none).
struct Faults {
  unsigned drop_every = 0;
  unsigned duplicate_every = 0;
};

struct Options {
  std::string address = "127.0.0.1";
  unsigned short port = 0;
  int threads = 0;
  std::string token;
  Faults faults;
};

// One websocket connection. Strand-only, like xiaoer::net::WsSession.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Faults faults) : ws_(std::move(socket)), faults_(faults) {}

  void accept(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();
    // Answers are small frames written one after another: without this,
    // Nagle's algorithm holds one back until the peer's delayed ACK (40 ms).
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(kMaxFrameBytes);
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "xiaoer-echo"); }));
    ws_.async_accept(request, beast::bind_front_handler(&Session::on_accept, shared_from_this()));
  }

  // Safe from any thread, like Connection::send in the daemon.
  void send(std::string frame) {
    asio::post(ws_.get_executor(),
               [self = shared_from_this(), frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    ws_.text(true);
    do_read();
  }

  void do_read() { ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;  // closed, reset, or timed out: the session ends with its last handler
    if (!ws_.got_text()) {
      buffer_.consume(buffer_.size());
      return do_close(websocket::close_code::unknown_data);
    }
    // The same copy the daemon makes before handing the frame on.
    std::string frame = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    ++frames_;
    if (faults_.drop_every == 0 || frames_ % faults_.drop_every != 0) {
      std::string reply = answer(frame);
      if (faults_.duplicate_every != 0 && frames_ % faults_.duplicate_every == 0) send(reply);
      send(std::move(reply));
    }
    if (!close_sent_) do_read();
  }

  static std::string answer(const std::string& frame) {
    const nlohmann::json json = nlohmann::json::parse(frame, nullptr, false);
    xiaoer::proto::ReplyFrame reply;
    if (json.is_object()) {
      const auto id = json.find("id");
      if (id != json.end() && id->is_string()) reply.in_reply_to = id->get<std::string>();
      const auto chat = json.find("chat");
      if (chat != json.end() && chat->is_string()) reply.chat = chat->get<std::string>();
    }
    if (reply.in_reply_to.empty()) {
      xiaoer::proto::ErrorFrame error;
      error.code = json.is_discarded() ? xiaoer::proto::ErrorCode::kBadJson : xiaoer::proto::ErrorCode::kBadRequest;
      error.message = "echo_server: need a JSON object with a string id";
      return xiaoer::proto::encode(error);
    }
    reply.text = kReplyText;
    reply.intents.emplace_back("echo");
    reply.confidence = 1.0;
    return xiaoer::proto::encode(reply);
  }

  void enqueue(std::string frame) {
    if (close_sent_) return;
    if (outbound_.size() >= kMaxOutboundFrames) {
      outbound_.clear();
      return do_close(websocket::close_code::policy_error);
    }
    outbound_.push_back(std::move(frame));
    if (!writing_) do_write();
  }

  void do_write() {
    if (outbound_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.async_write(asio::buffer(outbound_.front()), beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      writing_ = false;
      outbound_.clear();
      return;
    }
    outbound_.pop_front();
    do_write();
  }

  void do_close(websocket::close_code code) {
    if (close_sent_) return;
    close_sent_ = true;
    if (writing_) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbound_;
  bool writing_ = false;
  bool close_sent_ = false;
  Faults faults_;
  std::uint64_t frames_ = 0;
};

// Reads the upgrade request of one accepted connection and checks path and
// token before handing the socket to a Session.
class Upgrade : public std::enable_shared_from_this<Upgrade> {
 public:
  Upgrade(tcp::socket socket, std::string token, Faults faults)
      : stream_(std::move(socket)), token_(std::move(token)), faults_(faults) {}

  void run() {
    parser_.header_limit(8 * 1024);
    parser_.body_limit(kMaxFrameBytes);
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, parser_, beast::bind_front_handler(&Upgrade::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    http::request<http::string_body> request = parser_.release();
    const std::string_view target = request.target();
    if (!websocket::is_upgrade(request) || target.substr(0, target.find('?')) != "/v1/gateway") {
      return refuse(http::status::not_found, request.version(), "websocket on /v1/gateway only\n");
    }
    if (!token_.empty()) {
      std::string expected("Bearer ");
      expected.append(token_);
      if (request[http::field::authorization] != expected) {
        return refuse(http::status::unauthorized, request.version(), "missing or invalid token\n");
      }
    }
    std::make_shared<Session>(stream_.release_socket(), faults_)->accept(std::move(request));
  }

  void refuse(http::status status, unsigned version, std::string body) {
    response_.emplace(status, version);
    response_->set(http::field::content_type, "text/plain");
    response_->keep_alive(false);
    response_->body() = std::move(body);
    response_->prepare_payload();
    http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream_;
  std::string token_;
  Faults faults_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  std::optional<http::response<http::string_body>> response_;
};

// Accepts on its own strand and gives each connection a strand of its own.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, std::string token, Faults faults)
      : ioc_(ioc), acceptor_(asio::make_strand(ioc)), token_(std::move(token)), faults_(faults) {}

  bool open(const tcp::endpoint& endpoint, std::string* error) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) *error = ec.message();
    return !ec;
  }
  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  void start() { do_accept(); }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Upgrade>(std::move(socket), token_, faults_)->run();
    do_accept();
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::string token_;
  Faults faults_;
};

bool parse_options(int argc, char** argv, Options* o, bool* help) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return true;
    }
    if (i + 1 >= argc) {
      std::cerr << "echo_server: " << arg << " needs a value\n" << kUsage;
      return false;
    }
    const std::string_view value = argv[++i];
    unsigned n = 0;
    const bool numeric = std::from_chars(value.data(), value.data() + value.size(), n).ec == std::errc();
    if (arg == "--address") {
      o->address = value;
    } else if (arg == "--port" && numeric && n <= 65535) {
      o->port = static_cast<unsigned short>(n);
    } else if (arg == "--threads" && numeric && n <= 256) {
      o->threads = static_cast<int>(n);
    } else if (arg == "--drop-every" && numeric) {
      o->faults.drop_every = n;
    } else if (arg == "--duplicate-every" && numeric) {
      o->faults.duplicate_every = n;
    } else if (arg == "--token") {
      o->token = value;
    } else if (arg == "--token-file") {
      std::ifstream in{std::string(value)};
      if (!in || !std::getline(in, o->token) || o->token.empty()) {
        std::cerr << "echo_server: cannot read a token from " << value << "\n";
        return false;
      }
    } else {
      std::cerr << "echo_server: bad option " << arg << " " << value << "\n" << kUsage;
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options options;
    if (const auto status = xiaoer::bench::read_command_line(argc, argv, &parse_options, kUsage, &options)) {
      return *status;
    }
    xiaoer::bench::raise_nofile();
    const int threads = options.threads > 0 ? options.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    asio::io_context ioc(threads);
    beast::error_code ec;
    const auto address = asio::ip::make_address(options.address, ec);
    if (ec) {
      std::cerr << "echo_server: --address " << options.address << " is not an IP address\n";
      return 2;
    }
    auto listener = std::make_shared<Listener>(ioc, options.token, options.faults);
    std::string error;
    if (!listener->open({address, options.port}, &error)) {
      std::cerr << "echo_server: cannot listen on " << options.address << ":" << options.port << ": " << error << "\n";
      return 1;
    }
    listener->start();
    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&ioc](const beast::error_code&, int) { ioc.stop(); });
    const tcp::endpoint endpoint = listener->local_endpoint();
    std::cout << "listening on " << endpoint.address().to_string() << ":" << endpoint.port() << " (" << threads
              << " threads)" << std::endl;

    std::vector<std::thread> workers;
    for (int i = 1; i < threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : workers) t.join();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "echo_server: " << e.what() << "\n";
    return 1;
  }
}
