// RedisServer: Debian's redis-server, started by a test on a free loopback
// port in a temp dir of its own, and killed at the end (header-only: the
// unit, TSan and integration test executables share it).
//
// start() waits (5 s at most) until the server answers PING; kill() is
// SIGKILL (what a crash does); pause()/resume() are SIGSTOP/SIGCONT (a
// server that hangs). A restart keeps the port and the dir (and so the
// append-only file).
//
// REQUIRE_REDIS_SERVER() skips the test when redis-server is not
// installed, except under CI=true, where that fails it (the Makefile
// installs it).
//
// Thread safety: use from the test's thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace xiaoer::testing {

inline bool redis_server_installed() {
  return std::filesystem::exists("/usr/bin/redis-server") || std::filesystem::exists("/usr/local/bin/redis-server");
}

#define REQUIRE_REDIS_SERVER()                                                                 \
  do {                                                                                         \
    if (!::xiaoer::testing::redis_server_installed()) {                                        \
      const char* ci = std::getenv("CI");                                                      \
      if (ci != nullptr && std::string(ci) == "true") FAIL() << "redis-server is not installed"; \
      GTEST_SKIP() << "redis-server is not installed (make deps installs it)";                 \
    }                                                                                          \
  } while (false)

class RedisServer {
 public:
  // `appendfsync`: always, everysec or no ("" for no append-only file).
  explicit RedisServer(std::filesystem::path dir, std::string appendfsync = "always")
      : dir_(std::move(dir)), appendfsync_(std::move(appendfsync)) {
    std::filesystem::create_directories(dir_);
    port_ = free_port();
  }
  ~RedisServer() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool start() {
    const std::string port = std::to_string(port_);
    const std::string dir = dir_.string();
    const std::string log = (dir_ / "redis.log").string();
    std::vector<std::string> args = {"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                                     "--dir", dir, "--logfile", log, "--daemonize", "no"};
    if (appendfsync_.empty()) {
      args.insert(args.end(), {"--appendonly", "no"});
    } else {
      args.insert(args.end(), {"--appendonly", "yes", "--appendfsync", appendfsync_});
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      // The test's own sockets (Asio opens them without O_CLOEXEC: a test
      // gateway's listener) must not live on in the server: a listener the
      // test closed would keep its port taken.
      ::close_range(3, ~0U, 0);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (ping()) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Returns once the server is stopped (a signal is delivered when the
  // process next runs: a command sent just after kill() could be answered).
  void pause() {
    ::kill(pid_, SIGSTOP);
    const std::string stat = "/proc/" + std::to_string(pid_) + "/stat";
    for (int i = 0; i < 200; ++i) {
      std::ifstream in(stat);
      const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // "pid (comm) S ...": the state follows the last ')'.
      const std::size_t close = line.rfind(')');
      if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'T') return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  void resume() { ::kill(pid_, SIGCONT); }

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

 private:
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  // One PING over a blocking socket: the server is up and loaded its file.
  bool ping() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    bool ok = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::write(fd, "PING\r\n", 6) == 6) {
      char buffer[16] = {};
      ok = ::read(fd, buffer, sizeof buffer - 1) > 0 && std::string(buffer).rfind("+PONG", 0) == 0;
    }
    ::close(fd);
    return ok;
  }

  std::filesystem::path dir_;
  std::string appendfsync_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace xiaoer::testing
