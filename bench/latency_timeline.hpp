// LatencyTimeline: answers counted by the second of the run their message
// was due in, with how many were slow and the slowest, so a p99 can be
// placed in time (a wave at the start, a stall every second, a slow drift)
// rather than only measured.
//
// Thread safety: none; give each connection its own and merge() them at the
// end, like LatencyHistogram.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace xiaoer::bench {

class LatencyTimeline {
 public:
  struct Second {
    std::uint64_t answers = 0;
    std::uint64_t slow = 0;  // over the timeline's threshold
    std::chrono::nanoseconds max{0};
  };

  explicit LatencyTimeline(std::chrono::nanoseconds slow_threshold) : threshold_(slow_threshold) {}

  // `since_start`: when the message was due, counted from the run's start.
  void record(std::chrono::nanoseconds since_start, std::chrono::nanoseconds latency) {
    const auto index = static_cast<std::size_t>(std::max<std::int64_t>(0, since_start.count()) / 1'000'000'000);
    if (index >= seconds_.size()) seconds_.resize(index + 1);
    Second& s = seconds_[index];
    ++s.answers;
    if (latency > threshold_) ++s.slow;
    s.max = std::max(s.max, latency);
  }

  void merge(const LatencyTimeline& other) {
    if (other.seconds_.size() > seconds_.size()) seconds_.resize(other.seconds_.size());
    for (std::size_t i = 0; i < other.seconds_.size(); ++i) {
      Second& s = seconds_[i];
      s.answers += other.seconds_[i].answers;
      s.slow += other.seconds_[i].slow;
      s.max = std::max(s.max, other.seconds_[i].max);
    }
  }

  std::chrono::nanoseconds threshold() const { return threshold_; }
  const std::vector<Second>& seconds() const { return seconds_; }

 private:
  std::chrono::nanoseconds threshold_;
  std::vector<Second> seconds_;
};

}  // namespace xiaoer::bench
