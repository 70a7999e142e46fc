#include "tests/integration/daemon_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/store/redis/redis_server.hpp"

extern char** environ;

namespace xiaoer::it {
namespace {

std::filesystem::path make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "xiaoer-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Environment variables a test daemon must not inherit from the test run.
bool inherited_ok(std::string_view entry) {
  for (std::string_view banned : {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=", "XIAOER_GATEWAY_TOKEN=",
                                  "XIAOER_AGENT_TOKEN=", "XIAOER_ADMIN_TOKEN=", "LISTEN_FDS=", "LISTEN_PID="}) {
    if (entry.substr(0, banned.size()) == banned) return false;
  }
  return true;
}

bool redis_store_asked() {
  const char* store = std::getenv("XIAOER_IT_STORE");
  return store != nullptr && std::string_view(store) == "redis";
}

}  // namespace

DaemonProcess::DaemonProcess(DaemonConfig config) : config_(std::move(config)), dir_(make_temp_dir()) {
  if (dir_.empty()) return;
  if (redis_store_asked()) {
    redis_ = std::make_unique<testing::RedisServer>(redis_dir(), "always");
    if (!redis_->start()) {
      redis_error_ = "redis-server did not start (XIAOER_IT_STORE=redis); see " + (redis_dir() / "redis.log").string();
    }
  }
  write_file(dir_ / "gateway.token", std::string(kGatewayToken) + "\n");
  write_file(dir_ / "agent.token", std::string(kAgentToken) + "\n");
  write_file(dir_ / "admin.token", std::string(kAdminToken) + "\n");
  write_config(config_);
}

DaemonProcess::~DaemonProcess() {
  stop(std::chrono::seconds(3));
  if (reader_.joinable()) reader_.join();
  redis_.reset();  // before its dir goes
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

void DaemonProcess::write_config(const DaemonConfig& c) {
  config_ = c;
  const std::string intents = c.intents_dir.empty() ? std::string(XIAOER_SOURCE_DIR) + "/intents" : c.intents_dir;
  std::ostringstream y;
  y << "listen: {address: 127.0.0.1, port: 0}\n"
    << "threads: " << c.threads << "\n"
    << "gateway:\n"
    << "  mode: " << c.mode << "\n"
    << "  url: \"" << c.url << "\"\n"
    << "  ca_file: \"" << c.gateway_ca_file << "\"\n"
    << "  reconnect_min_ms: " << c.reconnect_min_ms << "\n"
    << "  reconnect_max_ms: " << c.reconnect_max_ms << "\n"
    << "tokens:\n"
    << "  gateway: {env: \"\", file: \"" << (dir_ / "gateway.token").string() << "\"}\n"
    << "  agent: {env: \"\", file: \"" << (dir_ / "agent.token").string() << "\"}\n"
    << "  admin: {env: \"\", file: \"" << (dir_ / "admin.token").string() << "\"}\n"
    << "paths:\n"
    << "  intents: \"" << intents << "\"\n"
    << "  shop: \"" << XIAOER_SOURCE_DIR << "/config/shop.yaml\"\n"
    << "  catalogue: \"" << c.catalogue << "\"\n"
    << "journal:\n"
    << "  path: \"" << journal_path().string() << "\"\n"
    << "  sync: " << c.journal_sync << "\n"
    << (c.compact_after_mb > 0 ? "  compact_after_mb: " + std::to_string(c.compact_after_mb) + "\n" : std::string())
    << "chats: {answered_window: " << c.answered_window << "}\n"
    << "queue: {notice_after_s: " << c.notice_after_s << "}\n"
    << "limits:\n"
    << "  frame_bytes: " << c.frame_bytes << "\n"
    << "  text_bytes: " << c.text_bytes << "\n"
    << "  messages_per_chat_per_second: " << c.messages_per_second << "\n"
    << "  burst: " << c.burst << "\n"
    << "  connections: " << c.connections << "\n"
    << "  idle_timeout_s: " << c.idle_timeout_s << "\n"
    << "  handshake_timeout_s: " << c.handshake_timeout_s << "\n"
    << "  outbound_frames: " << c.outbound_frames << "\n"
    << "console: {dir: \"" << XIAOER_SOURCE_DIR << "/console\""
    << (c.console_options.empty() ? "" : ", " + c.console_options) << "}\n"
    << "log: {level: " << c.log_level << ", format: text}\n"
    << "admin: {socket: \"" << admin_socket().string() << "\"}\n"
    << c.extra_yaml;
  if (!c.tls_cert.empty() || !c.tls_key.empty()) {
    y << "tls:\n"
      << "  cert: \"" << c.tls_cert << "\"\n"
      << "  key: \"" << c.tls_key << "\"\n";
  }
  if (redis_) {
    // 5 s a command: under ASan an fsync of appendfsync always can pass
    // 500 ms (tests/integration/redis_store_test.cpp says what follows).
    y << "store: {backend: redis, redis_url: \"" << redis_->url() << "\", redis_timeout_ms: 5000}\n";
  }
  write_file(config_path(), y.str());
}

bool DaemonProcess::start(std::string* error, const std::vector<std::string>& env,
                          std::chrono::milliseconds timeout) {
  if (dir_.empty()) {
    *error = "no temp dir";
    return false;
  }
  if (pid_ > 0) {
    *error = "already running";
    return false;
  }
  if (!redis_error_.empty()) {
    *error = redis_error_;
    return false;
  }
  if (reader_.joinable()) reader_.join();

  // Everything the child needs is built before fork(): after it, only
  // async-signal-safe calls.
  // XIAOER_DAEMON_BINARY runs the tests against another build of xiaoerd.
  const char* other = std::getenv("XIAOER_DAEMON_BINARY");
  const std::string binary = other != nullptr && *other != '\0' ? other : XIAOER_DAEMON_PATH;
  const std::string config = config_path().string();
  std::vector<std::string> args = {binary, "serve", "--config", config};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (inherited_ok(*e)) env_strings.emplace_back(*e);
  }
  for (const auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string workdir = dir_.string();

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  std::size_t from = 0;
  {
    std::lock_guard lock(mutex_);
    from = log_.size();
    eof_ = false;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    // The test's own sockets (Asio opens them without O_CLOEXEC: a
    // TestGateway's listener, clients' connections) must not live on in the
    // daemon: a closed listener would keep listening there.
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    }
    if (::chdir(workdir.c_str()) != 0) ::_exit(127);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  pid_ = pid;
  port_ = 0;
  reader_ = std::thread([this, fd = fds[0]] { read_output(fd); });

  static const std::regex kListening(R"(listening on 127\.0\.0\.1:([0-9]+))");
  std::unique_lock lock(mutex_);
  std::smatch match;
  const bool found = changed_.wait_for(lock, timeout, [&] {
    const std::string tail = log_.substr(from);
    if (std::regex_search(tail, match, kListening)) {
      port_ = static_cast<unsigned short>(std::stoi(match[1].str()));
      return true;
    }
    return eof_;
  });
  if (found && port_ != 0) return true;
  *error = found ? "the daemon exited before listening" : "no listening line within the timeout";
  *error += "; its output:\n" + log_.substr(from);
  lock.unlock();
  kill9();
  return false;
}

void DaemonProcess::read_output(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    log_.append(buffer, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  eof_ = true;
  changed_.notify_all();
}

std::string DaemonProcess::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

bool DaemonProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return log_.find(needle, std::min(from, log_.size())) != std::string::npos; });
}

void DaemonProcess::signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::filesystem::path DaemonProcess::journal_path() const {
  if (!config_.journal_path.empty()) return config_.journal_path;
  return dir_ / "state" / "journal.log";
}

void DaemonProcess::reap(int status) {
  pid_ = -1;
  last_status_ = status;
  if (reader_.joinable()) reader_.join();
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reap(status);
      return status;
    }
    if (r < 0 && errno != EINTR) {
      reap(0);
      last_status_.reset();  // not ours to know
      return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int DaemonProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  if (const auto status = wait_exit(grace)) return *status;
  if (pid_ <= 0) return -1;  // never kill(-1, …)
  ::kill(pid_, SIGKILL);
  if (const auto status = wait_exit(std::chrono::seconds(5))) return *status;
  return -1;
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit(std::chrono::seconds(5));
}

}  // namespace xiaoer::it
