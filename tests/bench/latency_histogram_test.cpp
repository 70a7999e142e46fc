#include "bench/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace xiaoer::bench {
namespace {

using namespace std::chrono_literals;

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile_ns(50), 0u);
  EXPECT_EQ(h.max_ns(), 0u);
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.mean_ns(), 0.0);
}

TEST(LatencyHistogram, BucketsAreContiguousAndWithinOnePercent) {
  EXPECT_EQ(LatencyHistogram::bucket_low(0), 0u);
  for (std::size_t b = 1; b < LatencyHistogram::kBucketCount; ++b) {
    ASSERT_EQ(LatencyHistogram::bucket_low(b), LatencyHistogram::bucket_high(b - 1) + 1) << b;
    const double low = static_cast<double>(LatencyHistogram::bucket_low(b));
    const double width = static_cast<double>(LatencyHistogram::bucket_high(b)) - low + 1;
    if (b < 256) {
      ASSERT_EQ(width, 1.0) << b;  // exact below 256 ns
    } else {
      ASSERT_LE(width / low, 0.01) << b;
    }
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_low(b)), b);
    ASSERT_EQ(LatencyHistogram::bucket_of(LatencyHistogram::bucket_high(b)), b);
  }
  // 60 s fits; beyond the range lands in the last bucket.
  EXPECT_LT(LatencyHistogram::bucket_of(60'000'000'000ull), LatencyHistogram::kBucketCount - 1);
  EXPECT_EQ(LatencyHistogram::bucket_of(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogram, PercentilesOfOneToThousandMicroseconds) {
  LatencyHistogram h;
  for (int us = 1; us <= 1000; ++us) h.record(std::chrono::microseconds(us));
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min_ns(), 1000u);
  EXPECT_EQ(h.max_ns(), 1'000'000u);
  EXPECT_NEAR(h.mean_ns(), 500'500.0, 0.5);
  // The k-th smallest is k µs: each percentile within 1% above it, never below.
  const struct {
    double p;
    std::uint64_t exact_ns;
  } cases[] = {{50, 500'000}, {90, 900'000}, {99, 990'000}, {99.9, 999'000}, {100, 1'000'000}, {0.1, 1'000}};
  for (const auto& c : cases) {
    const std::uint64_t got = h.percentile_ns(c.p);
    EXPECT_GE(got, c.exact_ns) << c.p;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(c.exact_ns) * 1.01) << c.p;
  }
  EXPECT_EQ(h.percentile_ns(100), h.max_ns());
}

TEST(LatencyHistogram, TailIsNotHiddenAndMaxIsExact) {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.record(100us);
  h.record(2s + 345ns);
  EXPECT_LE(h.percentile_ns(99), 101'000u);  // the tail beyond p99.9 only
  EXPECT_GE(h.percentile_ns(99), 100'000u);
  EXPECT_EQ(h.percentile_ns(99.9), h.percentile_ns(99));  // rank 999 of 1000
  EXPECT_EQ(h.percentile_ns(99.95), 2'000'000'345u);       // rank 1000: capped by the exact max
  EXPECT_EQ(h.max_ns(), 2'000'000'345u);
}

TEST(LatencyHistogram, SmallValuesAreExactAndNegativeIsZero) {
  LatencyHistogram h;
  h.record(std::chrono::nanoseconds(-5));
  h.record(std::chrono::nanoseconds(200));
  EXPECT_EQ(h.min_ns(), 0u);
  EXPECT_EQ(h.percentile_ns(50), 0u);
  EXPECT_EQ(h.percentile_ns(100), 200u);
}

TEST(LatencyHistogram, ValuesBeyondTheRangeKeepAnExactMax) {
  LatencyHistogram h;
  h.record(std::chrono::seconds(100));
  EXPECT_EQ(h.max_ns(), 100'000'000'000ull);
  EXPECT_EQ(h.percentile_ns(50), 100'000'000'000ull);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  LatencyHistogram a, b, all;
  for (int us = 1; us <= 500; ++us) {
    a.record(std::chrono::microseconds(us));
    all.record(std::chrono::microseconds(us));
  }
  for (int us = 501; us <= 1000; ++us) {
    b.record(std::chrono::microseconds(us));
    all.record(std::chrono::microseconds(us));
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min_ns(), all.min_ns());
  EXPECT_EQ(a.max_ns(), all.max_ns());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(a.percentile_ns(p), all.percentile_ns(p)) << p;
  LatencyHistogram empty;
  a.merge(empty);
  EXPECT_EQ(a.min_ns(), all.min_ns());
}

}  // namespace
}  // namespace xiaoer::bench
