#include "daemon/common/coalesced_run.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace xiaoer::common {
namespace {

// A job that holds each run open until the test ends it.
struct HeldJob {
  std::mutex mutex;
  std::vector<CoalescedRun::Done> open;
  int runs = 0;

  CoalescedRun::Job job() {
    return [this](CoalescedRun::Done done) {
      std::lock_guard lock(mutex);
      ++runs;
      open.push_back(std::move(done));
    };
  }
  // Ends the oldest open run with `ok`.
  void end(bool ok) {
    CoalescedRun::Done done;
    {
      std::lock_guard lock(mutex);
      ASSERT_FALSE(open.empty());
      done = std::move(open.front());
      open.erase(open.begin());
    }
    done(ok);
  }
};

TEST(CoalescedRun, OneRequestOneRun) {
  HeldJob held;
  CoalescedRun run(held.job());
  int result = -1;
  run.request([&](bool ok) { result = ok; });
  EXPECT_EQ(held.runs, 1);
  EXPECT_EQ(result, -1) << "not before its run ends";
  held.end(true);
  EXPECT_EQ(result, 1);
  EXPECT_EQ(held.runs, 1);
}

// Three requests during a run (a resync each connection and start() ask
// for): one more run, after it, whose result each of them gets.
TEST(CoalescedRun, RequestsMadeDuringARunShareOneRunAfterIt) {
  HeldJob held;
  CoalescedRun run(held.job());
  std::vector<int> results(4, -1);
  run.request([&](bool ok) { results[0] = ok; });
  for (int i = 1; i <= 3; ++i) run.request([&, i](bool ok) { results[i] = ok; });
  run.request();  // without a done: counted all the same
  EXPECT_EQ(held.runs, 1) << "one at a time";
  held.end(false);
  EXPECT_EQ(results[0], 0) << "the first run's result";
  EXPECT_EQ(results[1], -1) << "made after the first run started: waits for the next";
  EXPECT_EQ(held.runs, 2);
  held.end(true);
  EXPECT_EQ(results, (std::vector<int>{0, 1, 1, 1}));
  EXPECT_EQ(held.runs, 2) << "nothing asked during the second run";
  run.request();
  EXPECT_EQ(held.runs, 3) << "idle again: a new request runs at once";
  held.end(true);
}

// A job that ends before it returns (a connection that is down answers at
// once), and a done that asks again.
TEST(CoalescedRun, AJobThatEndsAtOnceAndADoneThatAsksAgain) {
  int runs = 0;
  CoalescedRun run([&runs](CoalescedRun::Done done) {
    ++runs;
    done(runs > 1);
  });
  bool second = false;
  run.request([&](bool ok) {
    EXPECT_FALSE(ok);
    run.request([&](bool again) { second = again; });
  });
  EXPECT_EQ(runs, 2);
  EXPECT_TRUE(second);
}

// Requests from many threads, runs ended on another: every done is called
// exactly once, and never two runs at once.
TEST(CoalescedRun, ManyThreadsEachDoneOnce) {
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  std::vector<std::thread> enders;
  std::mutex enders_mutex;
  CoalescedRun run([&](CoalescedRun::Done done) {
    if (running.fetch_add(1) != 0) overlapped = true;
    std::lock_guard lock(enders_mutex);
    enders.emplace_back([&running, done = std::move(done)] {
      std::this_thread::yield();
      running.fetch_sub(1);
      done(true);
    });
  });
  std::atomic<int> called{0};
  std::vector<std::thread> askers;
  for (int t = 0; t < 4; ++t) {
    askers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) run.request([&called](bool) { called.fetch_add(1); });
    });
  }
  for (std::thread& t : askers) t.join();
  // The runs end on their own threads; each starts the next one.
  for (;;) {
    std::vector<std::thread> mine;
    {
      std::lock_guard lock(enders_mutex);
      mine.swap(enders);
    }
    if (mine.empty() && running.load() == 0) break;
    for (std::thread& t : mine) t.join();
  }
  EXPECT_EQ(called.load(), 800);
  EXPECT_FALSE(overlapped.load());
}

}  // namespace
}  // namespace xiaoer::common
