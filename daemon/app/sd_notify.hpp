// sd_notify: the systemd notification protocol (Type=notify), spoken
// directly: one datagram per notification to the AF_UNIX socket named by
// $NOTIFY_SOCKET. No libsystemd needed.
//
// Owns nothing but the socket address and the watchdog timeout: each
// notify() opens a fresh datagram socket, sends, and closes it, so there is
// no descriptor to leak or to share between threads.
//
// Thread safety: immutable after construction; every method may be called
// from any thread, concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace xiaoer::app {

class SdNotifier {
 public:
  // Reads $NOTIFY_SOCKET (an absolute path, or "@name" for the abstract
  // namespace; anything else disables notifications, as in libsystemd) and
  // $WATCHDOG_USEC/$WATCHDOG_PID. WATCHDOG_USEC is honoured only when it is a
  // positive integer and WATCHDOG_PID is unset or equals getpid(). Without
  // NOTIFY_SOCKET every call is a no-op that returns false. The environment
  // is read, never changed.
  static SdNotifier from_environment();

  // Explicit socket (tests): "" disables. `watchdog` is the watchdog
  // timeout itself (WATCHDOG_USEC), not the ping interval.
  explicit SdNotifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog = std::nullopt);

  bool enabled() const { return !socket_path_.empty(); }

  // Sends `state` (e.g. "READY=1\nSTATUS=serving") as one datagram. Returns
  // false when notifications are disabled, `state` is empty, the address
  // does not fit a sockaddr_un, or the datagram could not be sent whole.
  // Never raises SIGPIPE; blocks at most as long as a local sendto().
  bool notify(std::string_view state) const;

  // "READY=1", plus "\nSTATUS=<status>" when `status` is not empty (newlines
  // in `status` become spaces: one status line).
  bool ready(std::string_view status = "") const;
  // "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC in µs>" (systemd 253's
  // Type=notify-reload form; older systemd ignores the extra field). Send
  // ready() again when the reload is done.
  bool reloading() const;
  // "STOPPING=1": the drain has begun.
  bool stopping() const;
  // "WATCHDOG=1": the loop is alive. Send every watchdog_interval().
  bool watchdog() const;

  // How often to send WATCHDOG=1 (half of WATCHDOG_USEC), or nullopt when
  // systemd asked for no watchdog (or notifications are disabled).
  std::optional<std::chrono::microseconds> watchdog_interval() const;

 private:
  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace xiaoer::app
