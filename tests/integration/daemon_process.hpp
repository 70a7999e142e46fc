// DaemonProcess: the real `xiaoerd serve` binary, started in a temp dir for
// one black-box test.
//
// The constructor makes a private temp dir holding the config, the two token
// files and the journal. start() forks and execs XIAOER_DAEMON_PATH (or the
// binary named by the environment variable XIAOER_DAEMON_BINARY) with that
// config, reads its stdout (a pipe, also its stderr) until the line
// "listening on 127.0.0.1:PORT" and remembers PORT. A reader thread keeps
// draining the pipe afterwards, so the daemon never blocks on its log, and
// keeps the text for failure messages (log()). The destructor stops the
// daemon (SIGTERM, then SIGKILL after a bound) and removes the temp dir.
//
// A daemon can be stopped and started again over the same dir and journal
// (restart tests). The child gets PR_SET_PDEATHSIG(SIGKILL): if the test
// process dies, so does its daemon.
//
// The store: the journal, unless the environment variable XIAOER_IT_STORE
// is `redis` (ctest's `redis.` registration of these tests sets it): then
// the constructor starts a redis-server of this DaemonProcess's own
// (tests/store/redis/redis_server.hpp: a free loopback port, appendfsync
// always, its files under dir()/redis) and the config names it as the
// store. It lives as long as the DaemonProcess, so a daemon stopped or
// killed and started again finds its state there, as it would in the
// journal.
//
// Thread safety: use from the test's thread only (log() may be called from
// any thread).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace xiaoer::testing {
class RedisServer;
}

namespace xiaoer::it {

// What goes into the temp config. Defaults are chosen for fast, quiet tests:
// two I/O threads, a generous per-chat rate (only the flood test lowers it).
struct DaemonConfig {
  std::string mode = "server";  // gateway.mode
  std::string url;              // gateway.url (client mode)
  std::string gateway_ca_file;  // gateway.ca_file (wss:// client mode)
  int reconnect_min_ms = 50;
  int reconnect_max_ms = 200;
  std::string intents_dir;  // "" = the repo's intents/
  int notice_after_s = 120;
  double messages_per_second = 1000;
  int burst = 1000;
  int frame_bytes = 65536;
  int text_bytes = 4096;
  int connections = 10000;
  int idle_timeout_s = 300;
  int handshake_timeout_s = 5;
  int threads = 2;
  std::string log_level = "info";
  int outbound_frames = 1024;  // limits.outbound_frames
  int answered_window = 8;     // chats.answered_window
  std::string tls_cert;        // tls.cert and tls.key (both "" = plain ws://)
  std::string tls_key;
  std::string journal_path;    // "" = <dir>/state/journal.log
  std::string journal_sync = "always";
  int compact_after_mb = 0;    // journal.compact_after_mb (0: the daemon's default)
  std::string extra_yaml;      // appended to the config as it is (sample.*, reload.*)
  std::string console_options;  // more console.* keys, as flow-map entries ("auto_assign: true")
  std::string catalogue;       // paths.catalogue ("" = none)
};

class DaemonProcess {
 public:
  static constexpr const char* kGatewayToken = "it-gateway-token-6f1c2a";
  static constexpr const char* kAgentToken = "it-agent-token-93be7d";
  static constexpr const char* kAdminToken = "it-admin-token-5d20e4";

  // Makes the temp dir and writes the config; the daemon is not started.
  explicit DaemonProcess(DaemonConfig config = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts the daemon; true once it printed its listening line (within
  // `timeout`). `env` adds NAME=VALUE entries to its environment
  // (NOTIFY_SOCKET, WATCHDOG_* and the XIAOER_*_TOKEN variables of the test's
  // own environment are never passed on). On failure, *error says why.
  bool start(std::string* error, const std::vector<std::string>& env = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Rewrites the config file (for the next start or a SIGHUP).
  void write_config(const DaemonConfig& config);

  // Sends `signal` to the running daemon.
  void signal(int signal);

  // Waits for the daemon to exit; its wait status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the wait status of the
  // exit (-1 if no daemon was running). Joins the log reader.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // SIGKILL at once and reap it.
  void kill9();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  unsigned short port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "xiaoerd.yaml"; }
  // The admin socket the config names (`xiaoerd reload` finds it there).
  std::filesystem::path admin_socket() const { return dir_ / "admin.sock"; }
  // The journal the config names (journal_path, or <dir>/state/journal.log).
  std::filesystem::path journal_path() const;
  // True when the store is this DaemonProcess's redis-server (XIAOER_IT_STORE=redis).
  bool on_redis() const { return redis_ != nullptr; }
  // Where that redis-server keeps its files (its append-only file).
  std::filesystem::path redis_dir() const { return dir_ / "redis"; }
  // The wait status of the last daemon that exited (reaped by stop(),
  // kill9(), wait_exit() or a failed start()), nullopt before any exit.
  std::optional<int> last_exit_status() const { return last_status_; }

  // Everything the daemon(s) printed so far.
  std::string log() const;
  // Waits until the log holds `needle` (searching from byte `from`); true if
  // it does within `timeout`.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from = 0);

 private:
  void reap(int status);
  void read_output(int fd);

  DaemonConfig config_;
  std::filesystem::path dir_;
  std::unique_ptr<testing::RedisServer> redis_;  // null: the journal store
  std::string redis_error_;                      // why redis_ did not start
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::optional<int> last_status_;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string log_;
  bool eof_ = false;
};

}  // namespace xiaoer::it
