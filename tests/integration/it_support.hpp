// Shared by the black-box daemon tests and the hostile-client, fault, TLS
// and secrets tests (tests/integration/{daemon,hostile,faults,tls}_test.cpp):
// message frames, metric samples, the daemon's RSS and descriptors from
// /proc, a raw TCP peer for byte-level abuse (slowloris, connections dropped
// mid-handshake, a peer that never reads), and ItTest, a fixture that starts
// one daemon and can keep a bystander connection open to prove a case harmed
// no one else.
//
// Everything is bounded in time. Thread safety: none, except where a
// function says so (message_frame, metric_*, rss_kb and open_fds are pure or
// read /proc only).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/proto/codec.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/ws_client.hpp"

namespace xiaoer::it {

// A gateway `message` frame, encoded by the daemon's own codec.
inline std::string message_frame(const std::string& id, const std::string& chat, const std::string& text) {
  proto::InboundMessage m;
  m.id = id;
  m.chat = chat;
  m.text = text;
  m.ts = 1763800000000;
  return proto::encode(m);
}

// "prefix" + n, without GCC 12's false -Wrestrict on literal + to_string.
inline std::string numbered(std::string_view prefix, long long n) {
  std::string s(prefix);
  s.append(std::to_string(n));
  return s;
}

// The value of one sample, named exactly as printed (labels included).
inline std::optional<double> metric_sample(const std::string& metrics, const std::string& name) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 && line[name.size()] == ' ') {
      return std::stod(line.substr(name.size() + 1));
    }
  }
  return std::nullopt;
}

// The sum of every sample of a family (all label values).
inline double metric_family_sum(const std::string& metrics, const std::string& family) {
  std::istringstream in(metrics);
  std::string line;
  double sum = 0;
  while (std::getline(in, line)) {
    if (line.compare(0, family.size(), family) != 0 || line.size() <= family.size()) continue;
    const char next = line[family.size()];
    if (next != ' ' && next != '{') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

template <typename Pred>
bool wait_until(Pred pred, Millis timeout, Millis step = Millis(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

// VmRSS of a process in KiB, from /proc/<pid>/status.
inline std::optional<long> rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return std::nullopt;
}

// Open descriptors of a process (entries of /proc/<pid>/fd).
inline long open_fds(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `xiaoerd agent ARGS --config <daemon's config>`: what it printed.
inline std::string run_agent_tool(const DaemonProcess& daemon, const std::string& args) {
  const std::string command =
      std::string(XIAOER_DAEMON_PATH) + " agent " + args + " --config " + daemon.config_path().string() + " 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ::pclose(pipe);
  return out;
}

// Adds the console account `name` with `xiaoerd agent add NAME FLAGS` and
// `daemon`'s config (to its agents file, read at its next start or reload;
// or to Redis, which every daemon on it applies at once); the secret it
// printed once, "" on failure.
inline std::string add_agent_account(const DaemonProcess& daemon, const std::string& name,
                                     const std::string& flags = "") {
  const std::string out = run_agent_tool(daemon, "add " + name + " " + flags);
  std::smatch m;
  EXPECT_TRUE(std::regex_search(out, m, std::regex("secret ([0-9a-f]{48})"))) << out;
  return m.size() > 1 ? m[1].str() : "";
}

// The console's websocket of a logged-in agent, once registered for events.
inline std::unique_ptr<WsClient> console_ws(unsigned short port, const Headers& headers) {
  auto ws = std::make_unique<WsClient>();
  if (!ws->connect(port, "/v1/agent", "", "", kDefaultTimeout, headers).ok) return nullptr;
  if (!ws->send(R"({"type":"list","request_id":"sync"})") || !ws->read_type("queue")) return nullptr;
  return ws;
}

// The websocket upgrade request a gateway sends, byte for byte.
inline std::string upgrade_request(unsigned short port, std::string_view target, std::string_view token) {
  std::string r = "GET ";
  r.append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(std::to_string(port));
  r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
  r.append("Sec-WebSocket-Version: 13\r\n");
  if (!token.empty()) r.append("Authorization: Bearer ").append(token).append("\r\n");
  r.append("\r\n");
  return r;
}

// One masked client websocket frame (RFC 6455 5.2): opcode 1 text, 2 binary.
inline std::string client_frame(std::string_view payload, int opcode = 1, bool fin = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | (opcode & 0x0F)));
  const std::size_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xFF));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
  for (unsigned char m : mask) f.push_back(static_cast<char>(m));
  for (std::size_t i = 0; i < n; ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

// A TCP peer on 127.0.0.1 driven byte by byte: non-blocking, every call
// bounded by its timeout. SIGPIPE is never raised (MSG_NOSIGNAL).
class RawConn {
 public:
  enum class Io { kOk, kTimeout, kClosed };

  RawConn() = default;
  ~RawConn() { close(); }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  RawConn(RawConn&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

  // `receive_buffer` > 0 sets SO_RCVBUF before connecting (a peer that
  // reads nothing fills a small window sooner).
  bool connect(unsigned short port, Millis timeout = Millis(3000), int receive_buffer = 0) {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return true;
    if (errno != EINPROGRESS) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    int error = 0;
    socklen_t len = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    return error == 0;
  }

  // Writes all of `data`; kClosed when the peer reset or closed it.
  Io send_all(std::string_view data, Millis timeout = Millis(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Io::kClosed;
      const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Io::kTimeout;
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
      if ((p.revents & (POLLERR | POLLHUP)) != 0) return Io::kClosed;
    }
    return Io::kOk;
  }

  // Reads until `needle` has been seen (kOk), the peer ends (kClosed) or the
  // timeout; what was read is appended to *out.
  Io read_until(std::string_view needle, std::string* out, Millis timeout = Millis(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (out->find(needle) != std::string::npos) return Io::kOk;
      const Io got = read_some(out, std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
      if (got != Io::kOk) return got;
    }
  }

  // Reads (and keeps in *out when given) until the peer closes: kClosed, or
  // kTimeout if it is still open.
  Io wait_closed(Millis timeout, std::string* out = nullptr) {
    std::string ignored;
    std::string* sink = out != nullptr ? out : &ignored;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const Io got = read_some(sink, std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
      if (got != Io::kOk) return got;
      if (out == nullptr) ignored.clear();
    }
  }

  // True once the peer sent a FIN or a reset, without reading anything
  // (waits up to `timeout` for it).
  bool peer_closed(Millis timeout = Millis(0)) {
    pollfd p{fd_, POLLRDHUP, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    return (p.revents & (POLLRDHUP | POLLERR | POLLHUP)) != 0;
  }

  // Closes with an RST instead of a FIN (SO_LINGER 0).
  void reset() {
    if (fd_ < 0) return;
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int fd() const { return fd_; }

 private:
  Io read_some(std::string* out, Millis left) {
    for (;;) {
      char buffer[16384];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        out->append(buffer, static_cast<std::size_t>(n));
        return Io::kOk;
      }
      if (n == 0) return Io::kClosed;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Io::kClosed;
      if (left.count() <= 0) return Io::kTimeout;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) == 0) return Io::kTimeout;
      left = Millis(0);  // poll said ready (or error): one more recv decides
    }
  }

  int fd_ = -1;
};

// One daemon per test, plus (after open_bystander()) a bystander: a gateway
// connection opened before the hostile case that must still answer after it.
// On failure the daemon's output is printed.
class ItTest : public ::testing::Test {
 protected:
  void TearDown() override {
    bystander_.reset();
    if (HasFailure() && daemon_) std::cerr << "---- daemon output ----\n" << daemon_->log() << "---- end ----\n";
  }

  // Makes the daemon's temp dir and config (not started).
  DaemonProcess& make(DaemonConfig config = {}) {
    daemon_ = std::make_unique<DaemonProcess>(std::move(config));
    return *daemon_;
  }

  // Starts the daemon made by make() (or a default one).
  bool start(const std::vector<std::string>& env = {}) {
    if (!daemon_) make();
    std::string error;
    if (!daemon_->start(&error, env)) {
      ADD_FAILURE() << "daemon did not start: " << error;
      return false;
    }
    return true;
  }

  bool start_with(DaemonConfig config, const std::vector<std::string>& env = {}) {
    make(std::move(config));
    return start(env);
  }

  unsigned short port() const { return daemon_->port(); }

  std::unique_ptr<WsClient> connect(std::string_view path, std::string_view token, std::string_view query = "") {
    auto client = std::make_unique<WsClient>();
    const Handshake h = client->connect(port(), path, token, query);
    EXPECT_TRUE(h.ok) << path << query << ": " << h.error << " (HTTP " << h.status << ")";
    if (!h.ok) return nullptr;
    return client;
  }

  std::unique_ptr<WsClient> gateway() { return connect("/v1/gateway", DaemonProcess::kGatewayToken); }

  // An agent's connection, once the daemon has registered it for events:
  // the handshake's answer may reach the client before the daemon's
  // on_open has run, while a frame is read only after it, so a `list`
  // answered is the sign (a console does the same to sync).
  std::unique_ptr<WsClient> agent(const std::string& name) {
    auto client = connect("/v1/agent", DaemonProcess::kAgentToken, "?agent=" + name);
    if (!client) return nullptr;
    const bool listed = client->send(R"({"type":"list","request_id":"connected"})") && client->read_type("queue");
    EXPECT_TRUE(listed) << "agent " << name << ": no answer to list";
    return listed ? std::move(client) : nullptr;
  }

  // Sends a message and reads its answer.
  static std::optional<json> ask(WsClient& client, const std::string& id, const std::string& chat,
                                 const std::string& text, Millis timeout = kDefaultTimeout) {
    if (!client.send(message_frame(id, chat, text))) {
      ADD_FAILURE() << "could not send " << id;
      return std::nullopt;
    }
    auto answer = client.read_answer(id, timeout);
    EXPECT_TRUE(answer.has_value()) << "no answer to " << id;
    return answer;
  }

  std::string metrics() {
    const HttpResult r = http_request(port(), boost::beast::http::verb::get, "/metrics");
    EXPECT_EQ(r.status, 200) << r.error;
    return r.body;
  }

  HttpResult tickets() {
    return http_request(port(), boost::beast::http::verb::get, "/v1/tickets", DaemonProcess::kAgentToken);
  }

  std::optional<long> daemon_rss_kb() const { return rss_kb(daemon_->pid()); }

  // Opens the bystander and checks it answers.
  void open_bystander() {
    bystander_ = gateway();
    ASSERT_TRUE(bystander_);
    const auto answer = ask(*bystander_, "bystander-0", "bystander:chat", "发什么快递");
    ASSERT_TRUE(answer);
    ASSERT_EQ((*answer)["type"], "reply") << answer->dump();
  }

  // A brand-new gateway connection still gets a normal reply: the daemon is
  // alive and serving. It asks as message `label`-tag in chat `label`:tag.
  void expect_alive(const std::string& tag, std::string_view label = "alive") {
    auto fresh = gateway();
    ASSERT_TRUE(fresh) << "no new connection after " << tag;
    const auto answer = ask(*fresh, std::string(label).append("-").append(tag),
                            std::string(label).append(":").append(tag), "发什么快递");
    ASSERT_TRUE(answer) << "after " << tag;
    EXPECT_EQ((*answer)["type"], "reply") << "after " << tag << ": " << answer->dump();
  }

  // After a hostile case: a brand-new client gets a normal reply, and the
  // bystander (opened before the case) still answers on its connection.
  void expect_unaffected(const std::string& tag) {
    const bool failed_before = HasFatalFailure();
    expect_alive(tag, "fresh");
    if (!failed_before && HasFatalFailure()) return;  // no fresh client: the bystander is not asked
    if (bystander_) {
      ASSERT_TRUE(bystander_->is_open()) << "the bystander was closed by " << tag << ": " << bystander_->end_reason();
      const auto answer = ask(*bystander_, "bystander-" + tag, "bystander:chat", "包邮吗");
      ASSERT_TRUE(answer) << "the bystander got no answer after " << tag;
      EXPECT_EQ((*answer)["type"], "reply") << "after " << tag << ": " << answer->dump();
    }
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<WsClient> bystander_;
};

}  // namespace xiaoer::it
