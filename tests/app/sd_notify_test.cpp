#include "daemon/app/sd_notify.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

namespace xiaoer::app {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using std::chrono::seconds;

long long monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

// What systemd does: a datagram socket bound to `name` (a path, or "@name"
// in the abstract namespace). recv() waits at most 2 s, so a missing
// datagram fails the test instead of hanging it.
class NotifyListener {
 public:
  explicit NotifyListener(std::string name) : name_(std::move(name)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      ADD_FAILURE() << "socket: " << std::strerror(errno);
      return;
    }
    timeval timeout{};
    timeout.tv_sec = 2;
    EXPECT_EQ(::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)), 0) << std::strerror(errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (name_.size() >= sizeof(addr.sun_path)) {
      ADD_FAILURE() << "socket name too long: " << name_;
      return;
    }
    std::memcpy(addr.sun_path, name_.data(), name_.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size() + 1);
    if (name_[0] == '@') {
      addr.sun_path[0] = '\0';
      len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    }
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
    EXPECT_TRUE(bound_) << "bind " << name_ << ": " << std::strerror(errno);
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;
  ~NotifyListener() {
    if (fd_ >= 0) ::close(fd_);
    if (bound_ && name_[0] != '@') ::unlink(name_.c_str());
  }

  // The next datagram, or nullopt after the 2 s timeout.
  std::optional<std::string> receive() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

// Sets (or, with nullptr, unsets) an environment variable for one scope and
// restores what was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// A private directory for the socket files, removed afterwards.
class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "xiaoer-sd-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string socket_path() const { return (dir_ / "notify.sock").string(); }

  // A name no other test process uses.
  static std::string abstract_name() {
    static std::atomic<int> counter{0};
    return "@xiaoer-sd-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  }

  fs::path dir_;
};

void expect_reloading(const std::optional<std::string>& got, long long before, long long after) {
  ASSERT_TRUE(got.has_value());
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(got->rfind(prefix, 0), 0u) << *got;
  const std::string digits = got->substr(prefix.size());
  ASSERT_FALSE(digits.empty());
  ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << *got;
  const long long usec = std::stoll(digits);
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
}

// Sends READY (with a status), RELOADING, STOPPING and WATCHDOG through
// `notifier` and checks that `listener` receives each as written.
void expect_every_state(const SdNotifier& notifier, NotifyListener& listener) {
  EXPECT_TRUE(notifier.ready("serving"));
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=serving");

  const long long before = monotonic_usec();
  EXPECT_TRUE(notifier.reloading());
  const long long after = monotonic_usec();
  expect_reloading(listener.receive(), before, after);

  EXPECT_TRUE(notifier.stopping());
  EXPECT_EQ(listener.receive(), "STOPPING=1");

  EXPECT_TRUE(notifier.watchdog());
  EXPECT_EQ(listener.receive(), "WATCHDOG=1");
}

TEST_F(SdNotifyTest, SendsEveryStateToAPathSocket) {
  NotifyListener listener(socket_path());
  const SdNotifier notifier(socket_path());
  ASSERT_TRUE(notifier.enabled());

  expect_every_state(notifier, listener);
}

TEST_F(SdNotifyTest, SendsEveryStateToAnAbstractSocket) {
  const std::string name = abstract_name();
  NotifyListener listener(name);
  const SdNotifier notifier(name);

  expect_every_state(notifier, listener);
}

TEST_F(SdNotifyTest, ReadyWithoutStatusAndStatusOnOneLine) {
  NotifyListener listener(socket_path());
  const SdNotifier notifier(socket_path());

  EXPECT_TRUE(notifier.ready());
  EXPECT_EQ(listener.receive(), "READY=1");

  EXPECT_TRUE(notifier.ready("reloaded\nWATCHDOG=1"));
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=reloaded WATCHDOG=1");

  EXPECT_TRUE(notifier.notify("STATUS=draining 3 chats"));
  EXPECT_EQ(listener.receive(), "STATUS=draining 3 chats");
}

TEST(SdNotify, DisabledNotifierReturnsFalse) {
  const SdNotifier notifier("", microseconds(30'000'000));
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.notify("READY=1"));
  EXPECT_FALSE(notifier.ready("serving"));
  EXPECT_FALSE(notifier.reloading());
  EXPECT_FALSE(notifier.stopping());
  EXPECT_FALSE(notifier.watchdog());
  EXPECT_EQ(notifier.watchdog_interval(), std::nullopt);
}

TEST_F(SdNotifyTest, NoListenerOrBadAddressReturnsFalse) {
  EXPECT_FALSE(SdNotifier(socket_path()).ready());  // nothing bound there
  EXPECT_FALSE(SdNotifier(abstract_name()).ready());
  EXPECT_FALSE(SdNotifier("/" + std::string(200, 'x')).ready());  // longer than sun_path

  NotifyListener listener(socket_path());
  EXPECT_FALSE(SdNotifier(socket_path()).notify(""));
}

TEST(SdNotify, ExplicitWatchdogIntervalIsHalfTheTimeout) {
  EXPECT_EQ(SdNotifier("/run/x", seconds(30)).watchdog_interval(), microseconds(15'000'000));
  EXPECT_EQ(SdNotifier("/run/x").watchdog_interval(), std::nullopt);
  EXPECT_EQ(SdNotifier("/run/x", microseconds(0)).watchdog_interval(), std::nullopt);
}

TEST_F(SdNotifyTest, FromEnvironmentReadsSocketAndWatchdog) {
  NotifyListener listener(socket_path());
  const ScopedEnv socket("NOTIFY_SOCKET", socket_path().c_str());
  const ScopedEnv usec("WATCHDOG_USEC", "30000000");
  {
    const ScopedEnv pid("WATCHDOG_PID", nullptr);
    const SdNotifier notifier = SdNotifier::from_environment();
    EXPECT_TRUE(notifier.enabled());
    EXPECT_EQ(notifier.watchdog_interval(), microseconds(15'000'000));
    EXPECT_TRUE(notifier.watchdog());
    EXPECT_EQ(listener.receive(), "WATCHDOG=1");
  }
  {
    const ScopedEnv pid("WATCHDOG_PID", std::to_string(::getpid()).c_str());
    EXPECT_EQ(SdNotifier::from_environment().watchdog_interval(), microseconds(15'000'000));
  }
  {
    // The watchdog belongs to another process (we were forked from it).
    const std::string other = std::to_string(::getpid() == 1 ? 2 : 1);
    const ScopedEnv pid("WATCHDOG_PID", other.c_str());
    const SdNotifier notifier = SdNotifier::from_environment();
    EXPECT_TRUE(notifier.enabled());
    EXPECT_EQ(notifier.watchdog_interval(), std::nullopt);
  }
  {
    const ScopedEnv pid("WATCHDOG_PID", "not-a-pid");
    EXPECT_EQ(SdNotifier::from_environment().watchdog_interval(), std::nullopt);
  }
}

TEST_F(SdNotifyTest, FromEnvironmentIgnoresBadWatchdogValues) {
  const ScopedEnv socket("NOTIFY_SOCKET", socket_path().c_str());
  const ScopedEnv pid("WATCHDOG_PID", nullptr);
  for (const char* value : {"0", "", "-5", "30s", "99999999999999999999999"}) {
    const ScopedEnv usec("WATCHDOG_USEC", value);
    EXPECT_EQ(SdNotifier::from_environment().watchdog_interval(), std::nullopt) << "WATCHDOG_USEC=" << value;
  }
  const ScopedEnv usec("WATCHDOG_USEC", nullptr);
  EXPECT_EQ(SdNotifier::from_environment().watchdog_interval(), std::nullopt);
}

TEST_F(SdNotifyTest, FromEnvironmentAcceptsAbstractSocket) {
  const std::string name = abstract_name();
  NotifyListener listener(name);
  const ScopedEnv socket("NOTIFY_SOCKET", name.c_str());
  const ScopedEnv usec("WATCHDOG_USEC", nullptr);
  const SdNotifier notifier = SdNotifier::from_environment();
  EXPECT_TRUE(notifier.ready("serving"));
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=serving");
}

TEST(SdNotify, FromEnvironmentWithoutSocketIsDisabled) {
  const ScopedEnv usec("WATCHDOG_USEC", "30000000");
  const ScopedEnv pid("WATCHDOG_PID", nullptr);
  for (const char* value : {static_cast<const char*>(nullptr), "", "relative/notify.sock", "vsock:2:1234"}) {
    const ScopedEnv socket("NOTIFY_SOCKET", value);
    const SdNotifier notifier = SdNotifier::from_environment();
    EXPECT_FALSE(notifier.enabled()) << (value ? value : "(unset)");
    EXPECT_FALSE(notifier.ready());
    EXPECT_EQ(notifier.watchdog_interval(), std::nullopt);
  }
}

}  // namespace
}  // namespace xiaoer::app
