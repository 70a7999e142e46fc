#include "daemon/app/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <utility>

namespace xiaoer::app {
namespace {

// Parses a whole decimal string as an unsigned value; nullopt on anything
// else (empty, sign, trailing garbage, overflow).
std::optional<unsigned long long> parse_unsigned(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  const char* end = text + std::strlen(text);
  unsigned long long value = 0;
  const auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// The watchdog timeout systemd asked this process for, if any. WATCHDOG_PID
// guards against a child inheriting the parent's watchdog.
std::optional<std::chrono::microseconds> watchdog_from_environment() {
  const auto usec = parse_unsigned(std::getenv("WATCHDOG_USEC"));
  if (!usec || *usec == 0) return std::nullopt;
  if (const char* pid_text = std::getenv("WATCHDOG_PID"); pid_text != nullptr && *pid_text != '\0') {
    const auto pid = parse_unsigned(pid_text);
    if (!pid || *pid != static_cast<unsigned long long>(::getpid())) return std::nullopt;
  }
  if (*usec > static_cast<unsigned long long>(std::chrono::microseconds::max().count())) return std::nullopt;
  return std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
}

// Fills `addr` for `path` ("/abs/path" or "@abstract"); returns the address
// length to pass to sendto(), or 0 when the name does not fit.
socklen_t make_address(const std::string& path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr->sun_path)) return 0;
  std::memcpy(addr->sun_path, path.data(), path.size());
  if (path[0] == '@') {
    // Abstract namespace: a leading NUL, and the length counts exactly the
    // name's bytes (no terminator), as systemd binds it.
    addr->sun_path[0] = '\0';
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  }
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

// Closes a descriptor on every path out of notify().
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_;
};

}  // namespace

SdNotifier SdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  // libsystemd accepts only these two forms; a relative name would land in
  // our working directory.
  if (socket == nullptr || (socket[0] != '/' && socket[0] != '@')) return SdNotifier("");
  return SdNotifier(socket, watchdog_from_environment());
}

SdNotifier::SdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog) {
  if (watchdog_ && watchdog_->count() <= 0) watchdog_.reset();
}

bool SdNotifier::notify(std::string_view state) const {
  if (!enabled() || state.empty()) return false;
  sockaddr_un addr;
  const socklen_t addr_len = make_address(socket_path_, &addr);
  if (addr_len == 0) return false;

  // A fresh socket per call: notifications are rare (start, reload, stop,
  // and a watchdog ping every few seconds), and nothing is shared.
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const FdCloser closer(fd);

  ssize_t sent = 0;
  do {
    sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), addr_len);
  } while (sent < 0 && errno == EINTR);
  return sent == static_cast<ssize_t>(state.size());
}

bool SdNotifier::ready(std::string_view status) const {
  std::string state = "READY=1";
  if (!status.empty()) {
    state += "\nSTATUS=";
    for (const char c : status) state += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return notify(state);
}

bool SdNotifier::reloading() const {
  timespec now{};
  if (::clock_gettime(CLOCK_MONOTONIC, &now) != 0) return notify("RELOADING=1");
  const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
  return notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool SdNotifier::stopping() const { return notify("STOPPING=1"); }

bool SdNotifier::watchdog() const { return notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> SdNotifier::watchdog_interval() const {
  if (!enabled() || !watchdog_) return std::nullopt;
  // Never 0: a timer armed with 0 would spin.
  return std::max(*watchdog_ / 2, std::chrono::microseconds(1));
}

}  // namespace xiaoer::app
