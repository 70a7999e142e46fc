#include "daemon/nlu/match_memo.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace xiaoer::nlu {
namespace {

// (Not "t" + std::to_string(i): GCC 12 warns wrongly about that, -Wrestrict.)
std::string numbered(std::string text, int i) {
  text += std::to_string(i);
  return text;
}

TEST(MatchMemo, RemembersWhatATextMatched) {
  const MatchMemo memo(64);
  std::vector<int> hits{7};
  EXPECT_FALSE(memo.find("在吗", &hits));
  EXPECT_EQ(hits, std::vector<int>{7});  // untouched when not remembered
  memo.remember("在吗", {1, 4});
  memo.remember("好的", {});
  ASSERT_TRUE(memo.find("在吗", &hits));
  EXPECT_EQ(hits, (std::vector<int>{1, 4}));
  ASSERT_TRUE(memo.find("好的", &hits));
  EXPECT_TRUE(hits.empty());
}

TEST(MatchMemo, KeepsNoLongTextAndStaysWithinItsCapacity) {
  const MatchMemo memo(64);
  std::vector<int> hits;
  const std::string long_text(MatchMemo::kMaxTextBytes + 1, 'a');
  memo.remember(long_text, {1});
  EXPECT_FALSE(memo.find(long_text, &hits));

  for (int i = 0; i < 10000; ++i) memo.remember(numbered("text ", i), {i});
  int kept = 0;
  for (int i = 0; i < 10000; ++i) {
    if (memo.find(numbered("text ", i), &hits)) {
      EXPECT_EQ(hits, std::vector<int>{i});
      ++kept;
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, 64);
}

// Threads that ask for and remember the same texts see only whole answers
// (run under TSan in CI).
TEST(MatchMemo, ManyThreadsShareIt) {
  const MatchMemo memo(256);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&memo] {
      std::vector<int> hits;
      for (int i = 0; i < 5000; ++i) {
        const std::string text = numbered("t", i % 300);
        if (memo.find(text, &hits)) {
          ASSERT_EQ(hits, (std::vector<int>{i % 300, 1}));
        } else {
          memo.remember(text, {i % 300, 1});
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace
}  // namespace xiaoer::nlu
