// loadgen: plays one or many chat gateways against ws://HOST:PORT/v1/gateway
// (protocol v1, docs/protocol.md) and measures what comes back.
//
//   loadgen --url ws://127.0.0.1:8080/v1/gateway --token-file state/gateway.token
//           --connections 100 --chats 1000 --window 8 --duration 20
//
// Run `loadgen --help` for every option.
//
// DESIGN
// One io_context run by --threads threads (default 1); every connection is a
// Beast websocket client on a strand of its own, with one read always
// pending and one write in flight (a deque behind it). Chats are spread over
// the connections (chat c belongs to connection c mod N) and each chat's
// messages go out in order on its connection.
//
//   * Open loop (--rate R): message g (counting over all connections) is
//     due at t0 + g/R; connection k sends messages k, k+N, k+2N, … on a
//     timer, catching up at once on any it is late for. Latency counts from
//     the SCHEDULED time, so when the server (or this process) falls behind,
//     the queueing shows up in the figures instead of being hidden by a
//     sender that politely waited (coordinated omission).
//   * Closed loop (--window W): each connection keeps W messages
//     outstanding and sends the next one as each answer arrives; latency
//     counts from the actual send.
//
// Every frame received goes through an AnswerChecker (bench/answer_checker.hpp):
// one answer per id, of a known type, for the right chat. Latencies go into
// a per-connection LatencyHistogram and LatencyTimeline (by the second the
// message was due), merged at the end. Nothing is shared
// between connections but a few relaxed atomics for progress, so a run with
// several threads needs no locks.
//
// The run: connect everything (256 handshakes at a time), start all senders
// at one t0, stop sending at --duration or after --count, wait up to
// --drain-timeout for the answers still outstanding, close, report. Exit
// status 0 only if every message got exactly one well-formed answer (and,
// with --no-errors, none of them was an `error`), every connection opened
// and none dropped.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/answer_checker.hpp"
#include "bench/latency_histogram.hpp"
#include "bench/latency_timeline.hpp"
#include "bench/tool_main.hpp"
#include "daemon/net/gateway_client.hpp"
#include "daemon/proto/codec.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using xiaoer::bench::AnswerChecker;
using xiaoer::bench::AnswerCounts;
using xiaoer::bench::AnswerType;
using xiaoer::bench::LatencyHistogram;
using xiaoer::bench::LatencyTimeline;

constexpr std::string_view kUsage =
    "usage: loadgen [OPTIONS]\n"
    "\n"
    "Plays chat gateways against a xiaoer daemon (protocol v1) and reports throughput,\n"
    "answer types and latency percentiles.\n"
    "\n"
    "  --url URL               ws://HOST:PORT/v1/gateway (default ws://127.0.0.1:8080/v1/gateway)\n"
    "  --token TOKEN           gateway token, sent as Authorization: Bearer\n"
    "  --token-file FILE       read the token from the first line of FILE\n"
    "  --connections N         gateway connections that send (default 1; 0 with --idle-connections)\n"
    "  --chats M               distinct chats, spread over the connections (default max(N, 1000))\n"
    "  --messages FILE         one message text a line (default bench/sample_messages.txt)\n"
    "  --duration SECONDS      send for this long (default 10 unless --count is given)\n"
    "  --count K               send K messages in all, then stop\n"
    "  --rate R                open loop: R messages/s in all, latency from the scheduled time\n"
    "  --window W              closed loop: W messages outstanding per connection (default 8)\n"
    "  --handoff               every text is \"转人工 \" + the line, each message in a new chat\n"
    "  --ids-prefix P          prefix of message and chat ids ([A-Za-z0-9._:-], default per run)\n"
    "  --channel NAME          the messages' channel (default taobao)\n"
    "  --threads T             threads running the client's io_context (default 1)\n"
    "  --idle-connections N    extra connections that send nothing and stay open\n"
    "  --connect-timeout S     per connection, TCP + websocket handshake (default 10)\n"
    "  --drain-timeout S       wait this long at the end for outstanding answers (default 10)\n"
    "  --no-errors             an `error` answer makes the run fail\n"
    "  --timeline MS           also report, for each second of the run, the answers to the\n"
    "                          messages due in it, how many took over MS ms, and the slowest\n"
    "  --json                  print one JSON object line instead of the text report\n"
    "\n"
    "Exit status: 0 if every message got exactly one well-formed answer, 1 if not (or a\n"
    "connection failed or dropped), 2 for bad options.\n";

constexpr std::size_t kConnectConcurrency = 256;

struct Options {
  std::string url = "ws://127.0.0.1:8080/v1/gateway";
  std::string token;
  std::size_t connections = 1;
  std::size_t chats = 0;  // 0: max(connections, 1000)
  std::string messages_file = std::string(XIAOER_SOURCE_DIR) + "/bench/sample_messages.txt";
  double duration_s = 0;  // 0: none
  std::uint64_t count = 0;  // 0: none
  double rate = 0;          // > 0: open loop
  std::size_t window = 8;
  bool handoff = false;
  std::string ids_prefix;
  std::string channel = "taobao";
  int threads = 1;
  std::size_t idle_connections = 0;
  double connect_timeout_s = 10;
  double drain_timeout_s = 10;
  bool no_errors = false;
  bool json = false;
  double timeline_ms = 0;  // > 0: report the timeline with this threshold
};

bool parse_number(std::string_view text, double* out) {
  try {
    std::size_t used = 0;
    const double v = std::stod(std::string(text), &used);
    if (used != text.size() || !(v >= 0)) return false;
    *out = v;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool parse_count(std::string_view text, std::uint64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string first_line(const std::string& path, bool* ok) {
  std::ifstream in(path);
  std::string line;
  *ok = static_cast<bool>(in) && static_cast<bool>(std::getline(in, line));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// Parses argv into *o; on error prints why and returns false.
bool parse_options(int argc, char** argv, Options* o, bool* help) {
  bool window_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return true;
    }
    const auto fail = [&](std::string_view why) {
      std::cerr << "loadgen: " << arg << ": " << why << "\n";
      return false;
    };
    if (arg == "--handoff") { o->handoff = true; continue; }
    if (arg == "--no-errors") { o->no_errors = true; continue; }
    if (arg == "--json") { o->json = true; continue; }
    if (i + 1 >= argc) return fail("needs a value");
    const std::string_view value = argv[++i];
    double d = 0;
    std::uint64_t n = 0;
    if (arg == "--url") {
      o->url = value;
    } else if (arg == "--token") {
      o->token = value;
    } else if (arg == "--token-file") {
      bool ok = false;
      o->token = first_line(std::string(value), &ok);
      if (!ok || o->token.empty()) return fail("cannot read a token from this file");
    } else if (arg == "--connections") {
      if (!parse_count(value, &n)) return fail("expects a count");
      o->connections = n;
    } else if (arg == "--chats") {
      if (!parse_count(value, &n) || n == 0) return fail("expects a positive count");
      o->chats = n;
    } else if (arg == "--messages") {
      o->messages_file = value;
    } else if (arg == "--duration") {
      if (!parse_number(value, &d) || d <= 0) return fail("expects positive seconds");
      o->duration_s = d;
    } else if (arg == "--count") {
      if (!parse_count(value, &n) || n == 0) return fail("expects a positive count");
      o->count = n;
    } else if (arg == "--rate") {
      if (!parse_number(value, &d) || d <= 0) return fail("expects a positive rate (messages/s)");
      o->rate = d;
    } else if (arg == "--window") {
      if (!parse_count(value, &n) || n == 0) return fail("expects a positive count");
      o->window = n;
      window_given = true;
    } else if (arg == "--ids-prefix") {
      for (const char c : value) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' && c != '-') {
          return fail("use only letters, digits and . _ : -");
        }
      }
      o->ids_prefix = value;
    } else if (arg == "--channel") {
      o->channel = value;
    } else if (arg == "--threads") {
      if (!parse_count(value, &n) || n == 0 || n > 256) return fail("expects 1 to 256");
      o->threads = static_cast<int>(n);
    } else if (arg == "--idle-connections") {
      if (!parse_count(value, &n)) return fail("expects a count");
      o->idle_connections = n;
    } else if (arg == "--connect-timeout") {
      if (!parse_number(value, &d) || d <= 0) return fail("expects positive seconds");
      o->connect_timeout_s = d;
    } else if (arg == "--timeline") {
      if (!parse_number(value, &d) || d <= 0) return fail("expects positive milliseconds");
      o->timeline_ms = d;
    } else if (arg == "--drain-timeout") {
      if (!parse_number(value, &d)) return fail("expects seconds");
      o->drain_timeout_s = d;
    } else {
      std::cerr << "loadgen: unknown option " << arg << "\n" << kUsage;
      return false;
    }
  }
  if (o->rate > 0 && window_given) {
    std::cerr << "loadgen: --rate (open loop) and --window (closed loop) exclude each other\n";
    return false;
  }
  if (o->connections == 0 && o->idle_connections == 0) {
    std::cerr << "loadgen: nothing to do: --connections 0 and no --idle-connections\n";
    return false;
  }
  if (o->connections == 0 && o->duration_s == 0) {
    std::cerr << "loadgen: idle connections only: give --duration\n";
    return false;
  }
  if (o->duration_s == 0 && o->count == 0) o->duration_s = 10;
  if (o->chats == 0) o->chats = std::max<std::size_t>(o->connections, 1000);
  if (o->connections > 0 && o->chats < o->connections) {
    std::cerr << "loadgen: --chats must be at least --connections (a chat stays on one connection)\n";
    return false;
  }
  if (o->token.empty()) {
    std::cerr << "loadgen: give --token or --token-file\n";
    return false;
  }
  if (o->ids_prefix.empty()) {
    o->ids_prefix.append("lg").append(std::to_string(::getpid())).append("-");
    o->ids_prefix.append(std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count() %
        100000000));
    o->ids_prefix.append("-");
  }
  return true;
}

void append_number(std::string& out, std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
  out.append(digits, end);
}

// A message frame with holes for the id and the chat, made once per text by
// the daemon's own encoder (xiaoer::proto::encode) around two markers, so
// building a frame costs three appends and no JSON.
class FrameTemplate {
 public:
  FrameTemplate(const std::string& text, const std::string& channel) {
    static constexpr std::string_view kIdMark = "@@LOADGEN-ID@@";
    static constexpr std::string_view kChatMark = "@@LOADGEN-CHAT@@";
    xiaoer::proto::InboundMessage m;
    m.id = kIdMark;
    m.chat = kChatMark;
    m.text = text;
    m.channel = channel;
    const std::string frame = xiaoer::proto::encode(m);
    // The markers are looked up with their key: the text's quotes are
    // escaped, so `"id":"@@…"` cannot occur inside it.
    std::string id_key("\"id\":\"");
    id_key.append(kIdMark).append("\"");
    std::string chat_key("\"chat\":\"");
    chat_key.append(kChatMark).append("\"");
    const std::size_t id_at = frame.find(id_key);
    const std::size_t chat_at = frame.find(chat_key);
    if (id_at == std::string::npos || chat_at == std::string::npos) {
      message_ = m;  // unexpected encoder output: encode every message instead
      return;
    }
    const std::size_t id_hole = id_at + id_key.size() - 1 - kIdMark.size();
    const std::size_t chat_hole = chat_at + chat_key.size() - 1 - kChatMark.size();
    id_first_ = id_hole < chat_hole;
    const std::size_t first = std::min(id_hole, chat_hole);
    const std::size_t second = std::max(id_hole, chat_hole);
    const std::size_t first_len = id_first_ ? kIdMark.size() : kChatMark.size();
    const std::size_t second_len = id_first_ ? kChatMark.size() : kIdMark.size();
    head_ = frame.substr(0, first);
    mid_ = frame.substr(first + first_len, second - first - first_len);
    tail_ = frame.substr(second + second_len);
  }

  // id and chat are plain ASCII without quotes or backslashes.
  std::string build(std::string_view id, std::string_view chat) const {
    if (message_) {
      xiaoer::proto::InboundMessage m = *message_;
      m.id = id;
      m.chat = chat;
      return xiaoer::proto::encode(m);
    }
    std::string out;
    out.reserve(head_.size() + mid_.size() + tail_.size() + id.size() + chat.size());
    out.append(head_).append(id_first_ ? id : chat).append(mid_).append(id_first_ ? chat : id).append(tail_);
    return out;
  }

 private:
  std::string head_, mid_, tail_;
  bool id_first_ = true;
  std::optional<xiaoer::proto::InboundMessage> message_;
};

class Connection;

// Everything the connections share. Written by main() before the threads
// start, then read-only, except for the atomics.
struct Run {
  Options options;
  xiaoer::net::WsUrl url;
  tcp::resolver::results_type endpoints;
  std::vector<FrameTemplate> frames;
  asio::io_context ioc;
  std::vector<std::shared_ptr<Connection>> connections;  // active first, then idle

  Clock::time_point t0{};
  std::optional<Clock::time_point> t_end;  // no more sends from then on

  // Connecting.
  std::atomic<std::size_t> next_connect{0};
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t handshakes_done = 0;  // under mutex
  std::size_t connect_failed = 0;   // under mutex
  std::string first_connect_error;  // under mutex

  // Progress.
  std::atomic<std::size_t> active_remaining{0};  // active connections not done
  std::atomic<std::size_t> closed{0};
  std::atomic<std::int64_t> last_progress_ns{0};  // since t0, of any send or answer

  explicit Run(int threads) : ioc(threads) {}

  void connect_next();
  void connected(bool ok, const std::string& error) {
    {
      std::lock_guard lock(mutex);
      ++handshakes_done;
      if (!ok && connect_failed++ == 0) first_connect_error = error;
    }
    changed.notify_all();
    connect_next();
  }
  void progress(Clock::time_point now) {
    last_progress_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(now - t0).count(),
                           std::memory_order_relaxed);
  }
};

// One gateway connection. All of its state lives on its strand; main()
// reads the results only after the io_context threads have been joined.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Stream = websocket::stream<beast::tcp_stream>;

  Connection(Run& run, std::size_t index, std::size_t active_count, bool idle)
      : run_(run),
        ws_(asio::make_strand(run.ioc)),
        timer_(ws_.get_executor()),
        index_(index),
        active_count_(active_count),
        idle_(idle),
        checker_(make_prefix(run.options.ids_prefix, index)),
        timeline_(std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::duration<double, std::milli>(run.options.timeline_ms))) {
    if (!idle_) {
      histogram_ = std::make_unique<LatencyHistogram>();
      const Options& o = run.options;
      owned_chats_ = o.chats / active_count + (index < o.chats % active_count ? 1 : 0);
      if (o.count > 0) quota_ = o.count / active_count + (index < o.count % active_count ? 1 : 0);
    }
  }

  void connect() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->ws_).expires_after(
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(self->run_.options.connect_timeout_s)));
      beast::get_lowest_layer(self->ws_).async_connect(
          self->run_.endpoints, beast::bind_front_handler(&Connection::on_connect, self));
    });
  }

  // Starts sending (active connections); t0 and t_end are set in Run.
  void start() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->begin(); });
  }

  void close() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->do_close(); });
  }

  // Results; read only after the io_context has stopped (open() also once
  // the handshakes are counted).
  bool open() const { return open_; }
  const std::string& drop_reason() const { return drop_reason_; }
  bool dropped() const { return dropped_; }
  bool idle() const { return idle_; }
  const AnswerChecker& checker() const { return checker_; }
  const LatencyHistogram* histogram() const { return histogram_.get(); }
  const LatencyTimeline& timeline() const { return timeline_; }
  Clock::time_point last_answer() const { return last_answer_; }
  Clock::time_point last_send() const { return last_send_; }
  Clock::duration max_send_lag() const { return max_send_lag_; }

 private:
  static std::string make_prefix(const std::string& prefix, std::size_t index) {
    std::string out(prefix);
    out.append("k");
    append_number(out, index);
    out.append("-");
    return out;
  }

  void on_connect(beast::error_code ec, tcp::endpoint) {
    if (ec) return failed(std::string("connect: ").append(ec.message()));
    beast::get_lowest_layer(ws_).expires_never();
    // Small frames written back to back: without this, Nagle's algorithm and
    // the peer's delayed ACKs add up to 40 ms stalls to our own sends.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    websocket::stream_base::timeout timeout = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeout.handshake_timeout =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(run_.options.connect_timeout_s));
    ws_.set_option(timeout);
    ws_.read_message_max(1 << 20);
    ws_.auto_fragment(false);
    std::string authorization("Bearer ");
    authorization.append(run_.options.token);
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      req.set(beast::http::field::authorization, authorization);
      req.set(beast::http::field::user_agent, "xiaoer-loadgen");
    }));
    std::string host(run_.url.host);
    host.append(":").append(run_.url.port);
    ws_.async_handshake(host, run_.url.target, beast::bind_front_handler(&Connection::on_handshake, shared_from_this()));
  }

  void on_handshake(beast::error_code ec) {
    if (ec) return failed(std::string("websocket handshake: ").append(ec.message()));
    open_ = true;
    ws_.text(true);
    do_read();
    run_.connected(true, {});
  }

  void failed(const std::string& why) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    finished_ = true;
    run_.closed.fetch_add(1);
    run_.connected(false, why);
  }

  void begin() {
    if (idle_ || !open_ || finished_) return;
    timer_.expires_at(run_.t0);
    timer_.async_wait(beast::bind_front_handler(&Connection::on_start, shared_from_this()));
  }

  // At t0. Open loop: the timer paces the sends from now on. Closed loop:
  // the window is filled, and the timer marks the end of sending.
  void on_start(beast::error_code ec) {
    if (ec || closing_ || finished_) return;
    if (run_.options.rate > 0) return on_pace(ec);
    top_up(Clock::now());
    if (run_.t_end && !sending_done_) {
      timer_.expires_at(*run_.t_end);
      timer_.async_wait(beast::bind_front_handler(&Connection::on_end_timer, shared_from_this()));
    }
  }

  // The scheduled time of this connection's i-th message (open loop).
  Clock::time_point scheduled(std::uint64_t i) const {
    const double g = static_cast<double>(i) * static_cast<double>(active_count_) + static_cast<double>(index_);
    return run_.t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(g / run_.options.rate));
  }

  bool may_send(Clock::time_point when) const {
    if (closing_ || finished_ || sending_done_) return false;
    if (quota_ && checker_.counts().sent >= *quota_) return false;
    if (run_.t_end && when >= *run_.t_end) return false;
    return true;
  }

  void on_pace(beast::error_code ec) {
    if (ec || closing_ || finished_) return;
    const Clock::time_point now = Clock::now();
    for (;;) {
      const Clock::time_point due = scheduled(checker_.counts().sent);
      if (!may_send(due)) return end_sending();
      if (due > now) {
        timer_.expires_at(due);
        timer_.async_wait(beast::bind_front_handler(&Connection::on_pace, shared_from_this()));
        return;
      }
      max_send_lag_ = std::max(max_send_lag_, now - due);
      send_message(due, now);
    }
  }

  void on_end_timer(beast::error_code ec) {
    if (ec) return;
    end_sending();
  }

  // Closed loop: fill the window.
  void top_up(Clock::time_point now) {
    while (checker_.outstanding() < run_.options.window) {
      if (!may_send(now)) return end_sending();
      send_message(now, now);
    }
  }

  void send_message(Clock::time_point origin, Clock::time_point now) {
    const Options& o = run_.options;
    const std::uint64_t i = checker_.counts().sent;
    chat_.clear();
    chat_.append(o.ids_prefix);
    if (o.handoff) {
      chat_.append("h");
      append_number(chat_, index_);
      chat_.append("-");
      append_number(chat_, i);
    } else {
      // Chat c belongs to connection c mod N: this connection's chats are
      // index, index + N, …, taken in turn.
      chat_.append("chat");
      append_number(chat_, index_ + (i % owned_chats_) * active_count_);
    }
    const std::string id = checker_.next_id(chat_, origin);
    const FrameTemplate& frame = run_.frames[(index_ * 7919 + i) % run_.frames.size()];
    outbound_.push_back(frame.build(id, chat_));
    last_send_ = now;
    run_.progress(now);
    if (!writing_) do_write();
  }

  void end_sending() {
    if (sending_done_) return;
    sending_done_ = true;
    timer_.cancel();
    maybe_done();
  }

  void maybe_done() {
    if (done_ || idle_) return;
    if ((sending_done_ && checker_.outstanding() == 0) || finished_) {
      done_ = true;
      run_.active_remaining.fetch_sub(1);
    }
  }

  void do_write() {
    if (outbound_.empty() || closing_ || finished_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.async_write(asio::buffer(outbound_.front()), beast::bind_front_handler(&Connection::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return lost(ec);
    outbound_.pop_front();
    if (closing_) return do_close();
    do_write();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return lost(ec);
    const Clock::time_point now = Clock::now();
    const auto data = buffer_.data();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    AnswerChecker::Result result;
    if (ws_.got_text()) {
      result = checker_.on_frame(frame, now);
    } else {
      result = checker_.reject(xiaoer::bench::Malformed::kBadJson, "(binary frame)");
    }
    buffer_.consume(buffer_.size());
    if (result.verdict == AnswerChecker::Verdict::kAnswer) {
      last_answer_ = now;
      if (histogram_) histogram_->record(result.latency);
      timeline_.record(std::chrono::duration_cast<std::chrono::nanoseconds>(now - result.latency - run_.t0),
                       result.latency);
      run_.progress(now);
    }
    if (!idle_ && !sending_done_ && run_.options.rate <= 0) top_up(now);
    maybe_done();
    do_read();
  }

  // The connection ended before we closed it.
  void lost(beast::error_code ec) {
    if (finished_) return;
    if (!closing_) {
      dropped_ = true;
      if (drop_reason_.empty()) drop_reason_ = ec.message();
    }
    finish();
  }

  void do_close() {
    closing_ = true;
    timer_.cancel();
    if (finished_) return;
    if (writing_) return;  // on_write closes
    if (close_started_) return;
    close_started_ = true;
    ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).socket().close(ignored);
    maybe_done();
    run_.closed.fetch_add(1);
  }

  Run& run_;
  Stream ws_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbound_;
  std::string chat_;
  std::size_t index_;
  std::size_t active_count_;
  bool idle_;
  std::size_t owned_chats_ = 1;
  std::optional<std::uint64_t> quota_;
  AnswerChecker checker_;
  std::unique_ptr<LatencyHistogram> histogram_;
  LatencyTimeline timeline_;
  bool open_ = false;
  bool writing_ = false;
  bool sending_done_ = false;
  bool done_ = false;
  bool closing_ = false;
  bool close_started_ = false;
  bool finished_ = false;
  bool dropped_ = false;
  std::string drop_reason_;
  Clock::time_point last_answer_{};
  Clock::time_point last_send_{};
  Clock::duration max_send_lag_{};
};

void Run::connect_next() {
  const std::size_t i = next_connect.fetch_add(1);
  if (i < connections.size()) connections[i]->connect();
}

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, v);
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options options;
    if (const auto status = xiaoer::bench::read_command_line(argc, argv, &parse_options, kUsage, &options)) {
      return *status;
    }
    const auto url = xiaoer::net::parse_ws_url(options.url);
    if (!url) {
      std::cerr << "loadgen: --url must be ws://HOST[:PORT]/PATH\n";
      return 2;
    }
    std::vector<std::string> texts;
    {
      std::ifstream in(options.messages_file);
      if (!in) {
        std::cerr << "loadgen: cannot read " << options.messages_file << "\n";
        return 2;
      }
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (options.handoff) line.insert(0, "转人工 ");
        texts.push_back(std::move(line));
      }
    }
    if (texts.empty()) {
      std::cerr << "loadgen: " << options.messages_file << ": no messages\n";
      return 2;
    }
    const rlim_t nofile = xiaoer::bench::raise_nofile();  // for 10,000 connections
    const std::size_t total = options.connections + options.idle_connections;
    if (nofile != 0 && total + 64 > nofile) {
      std::cerr << "loadgen: " << total << " connections need more descriptors than RLIMIT_NOFILE (" << nofile
                << "); raise the hard limit (ulimit -Hn)\n";
      return 2;
    }

    Run run(options.threads);
    run.options = options;
    run.url = *url;
    for (const auto& t : texts) run.frames.emplace_back(t, options.channel);
    {
      beast::error_code ec;
      tcp::resolver resolver(run.ioc);
      run.endpoints = resolver.resolve(url->host, url->port, ec);
      if (ec) {
        std::cerr << "loadgen: resolve " << url->host << ": " << ec.message() << "\n";
        return 1;
      }
    }
    for (std::size_t i = 0; i < total; ++i) {
      const bool idle = i >= options.connections;
      run.connections.push_back(
          std::make_shared<Connection>(run, idle ? i - options.connections : i, std::max<std::size_t>(options.connections, 1), idle));
    }

    // The io_context threads; the work guard keeps them alive between phases.
    auto guard = asio::make_work_guard(run.ioc);
    std::vector<std::thread> threads;
    for (int i = 0; i < options.threads; ++i) threads.emplace_back([&run] { run.ioc.run(); });
    const auto stop_threads = [&] {
      guard.reset();
      run.ioc.stop();
      for (auto& t : threads) t.join();
    };

    // Connect, kConnectConcurrency handshakes at a time.
    const Clock::time_point connect_start = Clock::now();
    for (std::size_t i = 0; i < std::min(kConnectConcurrency, total); ++i) run.connect_next();
    {
      std::unique_lock lock(run.mutex);
      run.changed.wait(lock, [&] { return run.handshakes_done == total; });
    }
    const double connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();
    std::size_t active_open = 0;
    for (std::size_t i = 0; i < options.connections; ++i) active_open += run.connections[i]->open() ? 1 : 0;
    // Always on stderr (also with --json): scripts wait for this line.
    std::cerr << "loadgen: " << (total - run.connect_failed) << " of " << total << " connections open in "
              << fixed(connect_s, 2) << " s";
    if (run.connect_failed > 0) std::cerr << " (" << run.connect_failed << " failed; first: " << run.first_connect_error << ")";
    std::cerr << std::endl;

    // Send.
    run.active_remaining = options.connections;
    for (std::size_t i = 0; i < options.connections; ++i) {
      if (!run.connections[i]->open()) run.active_remaining.fetch_sub(1);
    }
    run.t0 = Clock::now() + std::chrono::milliseconds(20);
    if (options.duration_s > 0) {
      run.t_end = run.t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.duration_s));
    }
    if (active_open > 0) {
      for (std::size_t i = 0; i < options.connections; ++i) run.connections[i]->start();
    }
    const auto drain = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.drain_timeout_s));
    bool drain_timed_out = false;
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const Clock::time_point now = Clock::now();
      if (run.active_remaining.load() == 0) {
        // Every sender is done; idle connections are held for the whole --duration.
        if (options.idle_connections == 0 || !run.t_end || now >= *run.t_end) break;
        continue;
      }
      if (now < run.t0) continue;
      const Clock::time_point last = run.t0 + std::chrono::nanoseconds(run.last_progress_ns.load(std::memory_order_relaxed));
      const bool past_end = run.t_end && now >= *run.t_end + drain;
      const bool stalled = now - std::max(last, run.t0) >= drain && (!run.t_end || now >= *run.t_end);
      if (past_end || stalled) {
        drain_timed_out = true;
        break;
      }
    }
    // Close, give the closing handshakes two seconds, stop.
    for (auto& c : run.connections) c->close();
    const Clock::time_point close_deadline = Clock::now() + std::chrono::seconds(2);
    while (run.closed.load() < total && Clock::now() < close_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop_threads();

    // Report.
    AnswerCounts counts;
    LatencyHistogram latency;
    LatencyTimeline timeline(std::chrono::nanoseconds(0));
    std::size_t unanswered = 0, dropped = 0;
    Clock::time_point last_answer = run.t0, last_send = run.t0;
    Clock::duration max_lag{};
    std::string first_malformed, first_drop, sample_unanswered;
    for (const auto& c : run.connections) {
      counts.merge(c->checker().counts());
      unanswered += c->checker().outstanding();
      if (c->histogram()) latency.merge(*c->histogram());
      timeline.merge(c->timeline());
      if (c->dropped()) {
        ++dropped;
        if (first_drop.empty()) first_drop = c->drop_reason();
      }
      if (first_malformed.empty()) first_malformed = c->checker().first_malformed();
      if (sample_unanswered.empty() && c->checker().outstanding() > 0) sample_unanswered = c->checker().outstanding_ids(1).front();
      last_answer = std::max(last_answer, c->last_answer());
      last_send = std::max(last_send, c->last_send());
      max_lag = std::max(max_lag, c->max_send_lag());
    }
    const double elapsed = std::chrono::duration<double>(last_answer - run.t0).count();
    const double send_period = std::chrono::duration<double>(last_send - run.t0).count();
    const double throughput = elapsed > 0 ? static_cast<double>(counts.answered) / elapsed : 0.0;
    const double send_rate = send_period > 0 ? static_cast<double>(counts.sent) / send_period : 0.0;
    const std::uint64_t errors = counts.by_type[static_cast<std::size_t>(AnswerType::kError)];
    const bool ok = unanswered == 0 && counts.malformed == 0 && run.connect_failed == 0 && dropped == 0 &&
                    (!options.no_errors || errors == 0);
    const std::string mode = options.rate > 0 ? "open" : "closed";

    if (options.json) {
      std::ostringstream j;
      j << "{\"mode\":\"" << mode << "\",\"connections\":" << options.connections
        << ",\"idle_connections\":" << options.idle_connections << ",\"chats\":" << options.chats
        << ",\"threads\":" << options.threads << ",\"rate\":" << fixed(options.rate, 1)
        << ",\"window\":" << (options.rate > 0 ? std::size_t{0} : options.window) << ",\"handoff\":" << (options.handoff ? "true" : "false")
        << ",\"sent\":" << counts.sent << ",\"answered\":" << counts.answered;
      for (std::size_t t = 0; t < xiaoer::bench::kAnswerTypeCount; ++t) {
        j << ",\"" << xiaoer::bench::to_string(static_cast<AnswerType>(t)) << "\":" << counts.by_type[t];
      }
      j << ",\"pushes\":" << counts.pushes << ",\"malformed\":" << counts.malformed << ",\"unanswered\":" << unanswered
        << ",\"connect_failed\":" << run.connect_failed << ",\"dropped\":" << dropped
        << ",\"connect_s\":" << fixed(connect_s, 3) << ",\"elapsed_s\":" << fixed(elapsed, 3)
        << ",\"send_rate\":" << fixed(send_rate, 1) << ",\"throughput\":" << fixed(throughput, 1)
        << ",\"p50_ms\":" << fixed(ms(latency.percentile_ns(50)), 3) << ",\"p90_ms\":" << fixed(ms(latency.percentile_ns(90)), 3)
        << ",\"p99_ms\":" << fixed(ms(latency.percentile_ns(99)), 3)
        << ",\"p999_ms\":" << fixed(ms(latency.percentile_ns(99.9)), 3) << ",\"max_ms\":" << fixed(ms(latency.max_ns()), 3)
        << ",\"mean_ms\":" << fixed(latency.mean_ns() / 1e6, 3)
        << ",\"max_send_lag_ms\":" << fixed(std::chrono::duration<double, std::milli>(max_lag).count(), 3);
      if (options.timeline_ms > 0) {
        j << ",\"timeline\":[";
        const char* comma = "";
        for (const LatencyTimeline::Second& s : timeline.seconds()) {
          j << comma << "{\"answers\":" << s.answers << ",\"slow\":" << s.slow
            << ",\"max_ms\":" << fixed(ms(static_cast<std::uint64_t>(s.max.count())), 3) << "}";
          comma = ",";
        }
        j << "]";
      }
      j << ",\"ok\":" << (ok ? "true" : "false") << "}";
      std::cout << j.str() << std::endl;
    } else {
      std::cout << "loadgen: " << options.connections << " connections";
      if (options.idle_connections > 0) std::cout << " (+" << options.idle_connections << " idle)";
      std::cout << ", ";
      if (options.handoff) {
        std::cout << "a new chat per message (handoff)";
      } else {
        std::cout << options.chats << " chats";
      }
      if (options.rate > 0) {
        std::cout << ", open loop at " << fixed(options.rate, 0) << " msg/s";
      } else {
        std::cout << ", closed loop, window " << options.window;
      }
      std::cout << ", " << options.threads << " thread(s)\n";
      std::cout << "sent " << counts.sent << " (" << fixed(send_rate, 0) << "/s)  answered " << counts.answered << ":";
      for (std::size_t t = 0; t < xiaoer::bench::kAnswerTypeCount; ++t) {
        std::cout << " " << xiaoer::bench::to_string(static_cast<AnswerType>(t)) << " " << counts.by_type[t];
      }
      std::cout << "  pushes " << counts.pushes << "\n";
      std::cout << "throughput " << fixed(throughput, 0) << " answers/s over " << fixed(elapsed, 2) << " s\n";
      std::cout << "latency ms: p50 " << fixed(ms(latency.percentile_ns(50)), 3) << "  p90 "
                << fixed(ms(latency.percentile_ns(90)), 3) << "  p99 " << fixed(ms(latency.percentile_ns(99)), 3)
                << "  p99.9 " << fixed(ms(latency.percentile_ns(99.9)), 3) << "  max " << fixed(ms(latency.max_ns()), 3)
                << "  (mean " << fixed(latency.mean_ns() / 1e6, 3) << ")\n";
      if (options.rate > 0) {
        std::cout << "sender lag: max " << fixed(std::chrono::duration<double, std::milli>(max_lag).count(), 3)
                  << " ms behind schedule (counted in the latencies)\n";
      }
      if (options.timeline_ms > 0) {
        std::cout << "timeline (second the message was due: answers, over " << fixed(options.timeline_ms, 1)
                  << " ms, slowest ms):\n";
        const auto& seconds = timeline.seconds();
        for (std::size_t i = 0; i < seconds.size(); ++i) {
          std::cout << "  " << i << "s: " << seconds[i].answers << "  " << seconds[i].slow << "  "
                    << fixed(ms(static_cast<std::uint64_t>(seconds[i].max.count())), 3) << "\n";
        }
      }
      std::cout << "errors: unanswered " << unanswered << "  malformed " << counts.malformed;
      for (std::size_t m = 0; m < xiaoer::bench::kMalformedCount; ++m) {
        if (counts.by_malformed[m] > 0) {
          std::cout << " (" << xiaoer::bench::to_string(static_cast<xiaoer::bench::Malformed>(m)) << " "
                    << counts.by_malformed[m] << ")";
        }
      }
      std::cout << "  error-answers " << errors << "  connect-failed " << run.connect_failed << "  dropped " << dropped
                << "\n";
    }
    if (!first_malformed.empty()) std::cerr << "loadgen: first malformed frame: " << first_malformed << "\n";
    if (!sample_unanswered.empty()) {
      std::cerr << "loadgen: " << unanswered << " messages unanswered"
                << (drain_timed_out ? " after the drain timeout" : "") << ", e.g. " << sample_unanswered << "\n";
    }
    if (!first_drop.empty()) std::cerr << "loadgen: " << dropped << " connections dropped; first: " << first_drop << "\n";
    if (options.no_errors && errors > 0) std::cerr << "loadgen: " << errors << " error answers (--no-errors)\n";
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "loadgen: " << e.what() << "\n";
    return 1;
  }
}
