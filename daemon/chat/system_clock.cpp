#include <chrono>
#include <ctime>

#include "daemon/chat/outbound.hpp"

namespace xiaoer::chat {

std::int64_t SystemClock::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int SystemClock::minute_of_day() const {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return local.tm_hour * 60 + local.tm_min;
}

std::int64_t SystemClock::day_start_ms() const {
  const std::time_t now = std::time(nullptr);
  std::tm midnight{};
  localtime_r(&now, &midnight);
  midnight.tm_hour = midnight.tm_min = midnight.tm_sec = 0;
  midnight.tm_isdst = -1;  // whatever applies at midnight
  return std::int64_t{std::mktime(&midnight)} * 1000;
}

}  // namespace xiaoer::chat
