#include "bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace xiaoer::bench {

std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns >= kMaxTrackable) ns = kMaxTrackable - 1;
  if (ns < 256) return static_cast<std::size_t>(ns);
  const int msb = 63 - std::countl_zero(ns);  // ≥ 8
  const int shift = msb - kSubBucketBits;      // ≥ 1
  const std::uint64_t sub = ns >> shift;        // in [128, 256)
  return 256 + static_cast<std::size_t>(shift - 1) * 128 + static_cast<std::size_t>(sub - 128);
}

std::uint64_t LatencyHistogram::bucket_low(std::size_t bucket) {
  if (bucket < 256) return bucket;
  const std::size_t shift = (bucket - 256) / 128 + 1;
  const std::uint64_t sub = (bucket - 256) % 128 + 128;
  return sub << shift;
}

std::uint64_t LatencyHistogram::bucket_high(std::size_t bucket) {
  if (bucket < 256) return bucket;
  const std::size_t shift = (bucket - 256) / 128 + 1;
  return bucket_low(bucket) + (std::uint64_t{1} << shift) - 1;
}

void LatencyHistogram::record_ns(std::uint64_t ns) {
  ++counts_[bucket_of(ns)];
  ++count_;
  sum_ += ns;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t LatencyHistogram::percentile_ns(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // The rank of the value asked for, 1-based: ceil(p/100 × n), at least 1.
  // The epsilon keeps 99.9% of 1000 at rank 999 (0.999 × 1000 is a hair
  // above 999 in binary floating point).
  const double exact = percentile / 100.0 * static_cast<double>(count_);
  auto rank = static_cast<std::uint64_t>(std::ceil(exact - 1e-6));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    // The last bucket also holds every value beyond the range: say max.
    if (seen >= rank) return i + 1 == kBucketCount ? max_ : std::min(bucket_high(i), max_);
  }
  return max_;
}

}  // namespace xiaoer::bench
