// ReadGate (issue 10, defect 6): reading stops at the store's backlog
// limit and resumes, once each, when half of it is written or answered.
#include "daemon/app/read_gate.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

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

// Closed and drained many times a second (a sustained overload), the gate
// says so once per warn_every, then with the closings it left unsaid.
TEST(ReadGate, SaysItClosedOncePerIntervalWithTheClosingsLeftUnsaid) {
  std::ostringstream log;
  const auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("gate", std::make_shared<spdlog::sinks::ostream_sink_st>(log));
  logger->set_pattern("%l %v");
  spdlog::set_default_logger(logger);
  std::atomic<std::size_t> backlog{0};
  ReadGate gate(std::chrono::milliseconds(200));
  gate.set(10, [&] { return backlog.load(); }, {"store backlog", "requests", "store.redis_max_backlog"});
  const auto close_and_drain = [&] {
    backlog = 10;
    EXPECT_FALSE(gate.admit([] {}));
    backlog = 0;
    gate.update(0);
  };
  for (int i = 0; i < 3; ++i) close_and_drain();
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  close_and_drain();
  spdlog::set_default_logger(previous);
  EXPECT_EQ(log.str(),
            "warning store backlog at 10 requests (store.redis_max_backlog 10): connections stop reading until it "
            "drains\n"
            "info store backlog drained to 0 requests: 1 connections read again\n"
            "warning store backlog at 10 requests (store.redis_max_backlog 10): connections stop reading until it "
            "drains; closed 2 more times since the last such line\n"
            "info store backlog drained to 0 requests: 1 connections read again\n");
}

TEST(ReadGate, NoLimitNeverHoldsBack) {
  ReadGate gate;
  EXPECT_TRUE(gate.admit([] {}));
  gate.set(0, [] { return std::size_t{1'000'000}; }, {"journal backlog", "records", "journal.max_backlog"});
  EXPECT_TRUE(gate.admit([] {}));
}

}  // namespace
}  // namespace xiaoer::app
