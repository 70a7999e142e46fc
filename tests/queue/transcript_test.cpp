#include "daemon/queue/transcript.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace xiaoer::queue {
namespace {

TranscriptLine line(int n) { return {"buyer", "第" + std::to_string(n) + "句 a line long enough to be on the heap", n}; }

std::vector<int> stamps(const Transcript& t) {
  std::vector<int> out;
  for (const TranscriptLine& l : t) out.push_back(static_cast<int>(l.ts_ms));
  return out;
}

std::vector<int> range(int from, int to) {  // [from, to)
  std::vector<int> out;
  for (int n = from; n < to; ++n) out.push_back(n);
  return out;
}

TEST(Transcript, AppendsInOrderAcrossChunks) {
  Transcript t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
  const int n = static_cast<int>(Transcript::kChunk) * 3 + 5;
  for (int i = 0; i < n; ++i) t.push_back(line(i));
  ASSERT_EQ(t.size(), static_cast<std::size_t>(n));
  EXPECT_EQ(stamps(t), range(0, n));
  EXPECT_EQ(t.front().ts_ms, 0);
  EXPECT_EQ(t.back().ts_ms, n - 1);
  EXPECT_EQ(t[Transcript::kChunk].ts_ms, static_cast<std::int64_t>(Transcript::kChunk));
  EXPECT_EQ(t.end() - t.begin(), n);
}

TEST(Transcript, DropsTheOldestBeyondTheLimit) {
  Transcript t;
  for (int i = 0; i < 250; ++i) t.push_back(line(i), 200);
  ASSERT_EQ(t.size(), 200u);
  EXPECT_EQ(stamps(t), range(50, 250));
  // A smaller limit drops several at once.
  t.push_back(line(250), 3);
  EXPECT_EQ(stamps(t), range(248, 251));
  t.push_back(line(251), 1);
  EXPECT_EQ(stamps(t), range(251, 252));
  t.push_back(line(252), 0);
  EXPECT_TRUE(t.empty());
}

TEST(Transcript, KeepLastDropsTheOldest) {
  Transcript t;
  for (int i = 0; i < 70; ++i) t.push_back(line(i));
  t.keep_last(100);
  EXPECT_EQ(stamps(t), range(0, 70));
  t.keep_last(37);
  EXPECT_EQ(stamps(t), range(33, 70));
  t.push_back(line(70), 40);
  EXPECT_EQ(stamps(t), range(33, 71));
  t.keep_last(0);
  EXPECT_TRUE(t.empty());
  t.push_back(line(1));
  EXPECT_EQ(stamps(t), range(1, 2));
}

// Copies share their lines and never see each other's appends.
TEST(Transcript, CopiesAreIndependentValues) {
  Transcript a;
  for (int i = 0; i < 20; ++i) a.push_back(line(i), 18);
  const Transcript before = a;
  Transcript b = a;
  b.push_back(line(100), 18);
  a.push_back(line(200), 18);
  a.push_back(line(201), 18);
  EXPECT_EQ(stamps(before), range(2, 20));
  std::vector<int> b_want = range(3, 20);
  b_want.push_back(100);
  EXPECT_EQ(stamps(b), b_want);
  std::vector<int> a_want = range(4, 20);
  a_want.push_back(200);
  a_want.push_back(201);
  EXPECT_EQ(stamps(a), a_want);
  EXPECT_NE(a, b);
  EXPECT_EQ(before, Transcript(std::vector<TranscriptLine>(before.begin(), before.end())));
}

TEST(Transcript, BuiltFromLinesEqualsAppended) {
  std::vector<TranscriptLine> lines;
  Transcript appended;
  for (int i = 0; i < 40; ++i) {
    lines.push_back(line(i));
    appended.push_back(line(i));
  }
  const Transcript built(lines);
  EXPECT_EQ(built, appended);
  EXPECT_EQ(stamps(built), range(0, 40));
  Transcript listed = {{"buyer", "转人工", 4}, {"agent", "好的", 6, "li"}};
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].agent, "li");
  listed.clear();
  EXPECT_EQ(listed, Transcript());
  // Equal lines, whatever the chunking.
  Transcript dropped;
  for (int i = 0; i < 45; ++i) dropped.push_back(line(i), 40);
  Transcript same;
  for (int i = 5; i < 45; ++i) same.push_back(line(i));
  EXPECT_EQ(dropped, same);
}

// Copies of one transcript appended to on several threads at once (as a
// snapshot and a committed ticket are): only one of them may write into the
// chunk they share, and each keeps exactly its own lines (TSan runs this).
TEST(Transcript, CopiesAppendedOnManyThreadsAtOnceKeepTheirOwnLines) {
  Transcript shared;
  for (int i = 0; i < 3; ++i) shared.push_back(line(i));
  constexpr int kThreads = 4;
  constexpr int kAppends = 40;
  std::vector<Transcript> copies(kThreads, shared);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&copies, t] {
      for (int i = 0; i < kAppends; ++i) copies[t].push_back(line(1000 * (t + 1) + i), 30);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stamps(shared), range(0, 3));
  for (int t = 0; t < kThreads; ++t) {
    std::vector<int> want = range(1000 * (t + 1), 1000 * (t + 1) + kAppends);
    want.insert(want.begin(), {0, 1, 2});
    want.erase(want.begin(), want.end() - 30);
    EXPECT_EQ(stamps(copies[t]), want) << t;
  }
}

}  // namespace
}  // namespace xiaoer::queue
