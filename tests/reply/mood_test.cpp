#include "daemon/reply/mood.hpp"

#include <gtest/gtest.h>

namespace xiaoer::reply {
namespace {

std::string tidy(std::string text) {
  tidy_removed_cues(text);
  return text;
}

TEST(Mood, TidyLeavesNoTraceOfARemovedCue) {
  EXPECT_EQ(tidy("亲，在的～"), "亲，在的～");
  EXPECT_EQ(tidy("好的，，马上"), "好的，马上");          // '{smile}，' after '，'
  EXPECT_EQ(tidy("，亲"), "亲");                          // a cue opened the reply
  EXPECT_EQ(tidy("亲  在的 "), "亲 在的");
  EXPECT_EQ(tidy("好的 ，马上\n ～发货了"), "好的，马上\n发货了");
  EXPECT_EQ(tidy("稍等……"), "稍等……");                    // an ellipsis is doubled on purpose
  EXPECT_EQ(tidy("size M 码"), "size M 码");
}

TEST(Mood, ApologyIsFoundInTheFirstClauseAfterAnOpener) {
  EXPECT_TRUE(starts_with_apology("抱歉让您久等了"));
  EXPECT_TRUE(starts_with_apology("亲，非常抱歉"));
  EXPECT_TRUE(starts_with_apology("亲亲 实在对不起"));
  EXPECT_TRUE(starts_with_apology("不好意思哈"));
  EXPECT_FALSE(starts_with_apology("亲，退款已经在处理了，抱歉"));
  EXPECT_FALSE(starts_with_apology("亲自给您查了，抱歉"));
  EXPECT_FALSE(starts_with_apology(""));
}

TEST(Mood, ApologyGoesFirstAndTheReplyLosesItsOpener) {
  EXPECT_EQ(with_apology("非常抱歉🙏", "亲，退款在路上了"), "非常抱歉🙏\n退款在路上了");
  EXPECT_EQ(with_apology("非常抱歉🙏", "退款在路上了"), "非常抱歉🙏\n退款在路上了");
  EXPECT_EQ(with_apology("非常抱歉🙏", ""), "非常抱歉🙏");
  EXPECT_EQ(to_string(Mood::kUpset), "upset");
  EXPECT_EQ(to_string(Mood::kCalm), "calm");
}

}  // namespace
}  // namespace xiaoer::reply
