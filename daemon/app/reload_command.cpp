#include "daemon/app/reload_command.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include "daemon/app/admin_protocol.hpp"
#include "daemon/app/config.hpp"

namespace xiaoer::app {
namespace {

constexpr std::string_view kUsage = "usage: xiaoerd reload [--config FILE] [--force] [--timeout SECONDS]\n";

// Closes its descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Sends `request` to the socket at `path` and reads one answer line; "" with
// `error` set when that fails within `timeout`.
std::string ask(const std::string& path, const std::string& request, std::chrono::milliseconds timeout,
                std::string* error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) {
    *error = "the socket path is too long";
    return {};
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Fd socket{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (socket.fd < 0 || ::connect(socket.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    *error = std::strerror(errno);
    return {};
  }
  const std::string line = request + "\n";
  if (::send(socket.fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    *error = std::string("sending: ") + std::strerror(errno);
    return {};
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string answer;
  for (;;) {
    if (const std::size_t end = answer.find('\n'); end != std::string::npos) return answer.substr(0, end);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{socket.fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      *error = "no answer within " + std::to_string(timeout.count() / 1000) + " s";
      return {};
    }
    char buffer[4096];
    const ssize_t n = ::recv(socket.fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = "the daemon closed the connection without an answer";
      return {};
    }
    answer.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

int run_reload(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_path = "config/xiaoerd.yaml";
  AdminRequest request{"reload", false};
  long timeout_s = 120;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--force") {
      request.force = true;
    } else if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i] == "--timeout" && i + 1 < args.size()) {
      char* end = nullptr;
      timeout_s = std::strtol(args[++i].c_str(), &end, 10);
      if (*end != '\0' || timeout_s <= 0) {
        err << "--timeout needs a positive number of seconds\n" << kUsage;
        return 2;
      }
    } else {
      err << kUsage;
      return 2;
    }
  }
  const LoadedConfig loaded = load_config(config_path);
  if (common::has_errors(loaded.diagnostics)) {
    for (const common::Diagnostic& d : loaded.diagnostics) err << d.to_string() << "\n";
    err << "reload: " << config_path << " has errors; the daemon was not asked\n";
    return 1;
  }
  const std::string& socket = loaded.config.admin_socket;
  std::string error;
  const std::string line = ask(socket, encode(request), std::chrono::seconds(timeout_s), &error);
  if (line.empty()) {
    err << "reload: cannot reach the daemon at " << socket << " (admin.socket in " << config_path << "): " << error
        << "\n";
    return 1;
  }
  const std::optional<ReloadReport> report = decode_reload_report(line);
  if (!report) {
    err << "reload: the daemon's answer is not understood: " << line << "\n";
    return 1;
  }
  if (!report->ok) {
    for (const std::string& e : report->errors) err << e << "\n";
    err << (report->refused ? "reload: refused; the running set is kept (--force to reload anyway)\n"
                            : "reload: failed; the running set is kept\n");
    if (report->refused) err << report->summary;
    return 1;
  }
  out << "reloaded: " << report->intents << " intents, " << report->rules << " rules in service\n";
  out << "recent messages: " << report->summary;
  return 0;
}

}  // namespace xiaoer::app
