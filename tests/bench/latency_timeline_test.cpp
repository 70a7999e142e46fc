#include "bench/latency_timeline.hpp"

#include <gtest/gtest.h>

namespace xiaoer::bench {
namespace {

using namespace std::chrono_literals;

TEST(LatencyTimeline, CountsEachAnswerInTheSecondItsMessageWasDue) {
  LatencyTimeline t(5ms);
  t.record(0ns, 1ms);
  t.record(999ms, 7ms);   // due in second 0, answered in second 1: still second 0
  t.record(2500ms, 3ms);  // second 1 has none
  ASSERT_EQ(t.seconds().size(), 3u);
  EXPECT_EQ(t.seconds()[0].answers, 2u);
  EXPECT_EQ(t.seconds()[0].slow, 1u);
  EXPECT_EQ(t.seconds()[0].max, 7ms);
  EXPECT_EQ(t.seconds()[1].answers, 0u);
  EXPECT_EQ(t.seconds()[2].answers, 1u);
  EXPECT_EQ(t.seconds()[2].slow, 0u);
}

TEST(LatencyTimeline, OnlyALatencyOverTheThresholdIsSlow) {
  LatencyTimeline t(5ms);
  t.record(10ms, 5ms);
  t.record(20ms, 5ms + 1ns);
  EXPECT_EQ(t.seconds()[0].slow, 1u);
}

TEST(LatencyTimeline, AMessageDueBeforeTheStartCountsInTheFirstSecond) {
  LatencyTimeline t(1ms);
  t.record(-3ms, 2ms);
  ASSERT_EQ(t.seconds().size(), 1u);
  EXPECT_EQ(t.seconds()[0].answers, 1u);
}

TEST(LatencyTimeline, MergeAddsCountsAndKeepsTheSlowest) {
  LatencyTimeline a(5ms), b(5ms);
  a.record(100ms, 9ms);
  b.record(200ms, 20ms);
  b.record(1100ms, 1ms);
  a.merge(b);
  ASSERT_EQ(a.seconds().size(), 2u);
  EXPECT_EQ(a.seconds()[0].answers, 2u);
  EXPECT_EQ(a.seconds()[0].slow, 2u);
  EXPECT_EQ(a.seconds()[0].max, 20ms);
  EXPECT_EQ(a.seconds()[1].answers, 1u);
}

}  // namespace
}  // namespace xiaoer::bench
