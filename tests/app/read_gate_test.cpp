// ReadGate (issue 10, defect 6): reading stops at the store's backlog
// limit and resumes, once each, when half of it is written or answered.
#include "daemon/app/read_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace xiaoer::app {
namespace {

TEST(ReadGate, HoldsReadingBackWhileTheBacklogIsFullAndResumesAtHalf) {
  std::atomic<std::size_t> backlog{0};
  ReadGate gate;
  gate.set(100, [&] { return backlog.load(); }, {"store backlog", "requests", "store.redis_max_backlog"});
  int resumed = 0;
  EXPECT_TRUE(gate.admit([&] { ++resumed; }));
  backlog = 100;
  EXPECT_FALSE(gate.admit([&] { ++resumed; }));
  EXPECT_FALSE(gate.admit([&] { ++resumed; }));
  EXPECT_TRUE(gate.closed());
  EXPECT_EQ(gate.what(), "store backlog");
  backlog = 60;
  gate.update(60);  // drained, but not to half: still held back
  EXPECT_EQ(resumed, 0);
  EXPECT_FALSE(gate.admit([&] { ++resumed; })) << "reopened above half the limit";
  backlog = 50;
  gate.update(50);
  EXPECT_EQ(resumed, 3);
  EXPECT_FALSE(gate.closed());
  gate.update(0);
  EXPECT_EQ(resumed, 3) << "resumed twice";
  EXPECT_TRUE(gate.admit([&] { ++resumed; }));
}

TEST(ReadGate, NoLimitNeverHoldsBack) {
  ReadGate gate;
  EXPECT_TRUE(gate.admit([] {}));
  gate.set(0, [] { return std::size_t{1'000'000}; }, {"journal backlog", "records", "journal.max_backlog"});
  EXPECT_TRUE(gate.admit([] {}));
}

}  // namespace
}  // namespace xiaoer::app
