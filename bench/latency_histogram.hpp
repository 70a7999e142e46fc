// LatencyHistogram: a fixed-bucket, log-linear histogram of durations, for
// the load generator's latency percentiles.
//
// DESIGN
// Like HdrHistogram with two significant digits: values are nanoseconds;
// below 256 ns every value has its own bucket, and above it each power of
// two [2^k, 2^(k+1)) is split into 128 equal buckets, so a bucket is at most
// 1/128 (0.8%) of the values in it wide. The range is 1 ns to 2^36 ns
// (68.7 s), about 4,000 buckets (32 KiB); a longer value is counted in the
// last bucket and max() still reports it exactly. record() is two shifts and
// an increment: no allocation, no floating point.
//
// A percentile is reported as the highest value of the bucket that holds
// the requested rank (HdrHistogram's "highest equivalent value"), capped by
// the exact maximum, so it never understates a latency by more than 0.8%.
//
// Thread safety: none; give each thread or connection its own and merge()
// them at the end.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace xiaoer::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;                      // 128 buckets per power of two
  static constexpr std::uint64_t kMaxTrackable = 1ull << 36;    // ns (68.7 s)
  static constexpr std::size_t kBucketCount = 256 + (36 - 8) * 128;

  void record(std::chrono::nanoseconds value) { record_ns(value.count() < 0 ? 0 : static_cast<std::uint64_t>(value.count())); }
  void record_ns(std::uint64_t ns);

  // Adds every count of `other`.
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  // Exact extremes and mean, in ns (0 when empty).
  std::uint64_t min_ns() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max_ns() const { return max_; }
  double mean_ns() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }

  // The value at `percentile` (0 < percentile ≤ 100), in ns: the highest
  // value of the bucket holding the ceil(percentile/100 × count)-th smallest
  // recorded value, capped by max_ns(). 0 when empty.
  std::uint64_t percentile_ns(double percentile) const;

  // For tests: the bucket a value falls in and that bucket's value range.
  static std::size_t bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_low(std::size_t bucket);
  static std::uint64_t bucket_high(std::size_t bucket);

 private:
  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace xiaoer::bench
