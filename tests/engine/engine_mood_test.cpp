// The tone for an upset buyer (intents/mood.yaml, docs/intents.md "Mood"):
// no cheerful cues, an apology first; a calm buyer's replies are unchanged.
#include "daemon/engine/engine.hpp"

#include <gtest/gtest.h>

#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::engine {
namespace {

constexpr const char* kMood = R"(mood:
  upset:
    keywords: {怎么还: 3, 还没: 2}
    patterns: [{re: '[?]{2,}', weight: 3}]
    threshold: 3
  apologies: ['亲，非常抱歉让您着急了{sorry}', '实在抱歉{sorry}']
)";

class EngineMoodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = testing::test_intent_files();
    files.emplace_back("mood.yaml", kMood);
    built_ = testing::build_engine(files);
    ASSERT_NE(built_.engine, nullptr) << testing::describe(built_.diagnostics);
  }
  Outcome respond(const std::string& text, const std::string& channel = "default") {
    return built_.engine->respond(text, {}, channel);
  }
  testing::BuiltEngine built_;
};

TEST_F(EngineMoodTest, CalmReplyIsUnchanged) {
  const Outcome o = respond("发什么快递?");
  EXPECT_EQ(o.mood, reply::Mood::kCalm);
  EXPECT_EQ(o.text, "亲，默认发中通快递哦😊");
  EXPECT_EQ(o.classification.upset_score, 0);
}

TEST_F(EngineMoodTest, UpsetReplyHasNoSmileyAndStartsWithAnApology) {
  const Outcome o = respond("到底发什么快递？？？");
  EXPECT_EQ(o.mood, reply::Mood::kUpset);
  EXPECT_TRUE(o.classification.upset);
  EXPECT_EQ(o.text, "亲，非常抱歉让您着急了🙏\n默认发中通快递哦");
  // Weights add up: 还没 alone (2) is not upset, 怎么还没 (3 + 2) is.
  EXPECT_EQ(respond("还没发货").mood, reply::Mood::kCalm);
  EXPECT_EQ(respond("怎么还没发货").mood, reply::Mood::kUpset);
}

TEST_F(EngineMoodTest, ChannelEmojiMapIsHonouredWhenUpset) {
  const Outcome calm = respond("发什么快递", "taobao");
  EXPECT_EQ(calm.text, "亲，默认发中通快递哦/:^_^");
  const Outcome upset = respond("发什么快递??", "taobao");
  EXPECT_EQ(upset.text.find("/:^_^"), std::string::npos) << upset.text;
  EXPECT_EQ(upset.text.find("😊"), std::string::npos) << upset.text;
  EXPECT_EQ(upset.text.rfind("亲，非常抱歉让您着急了🙏", 0), 0u) << upset.text;
}

TEST_F(EngineMoodTest, AComplaintIsUpsetAndAReplyThatApologisesGetsNoSecondApology) {
  const Outcome o = respond("我要投诉");
  EXPECT_EQ(o.mood, reply::Mood::kUpset);
  EXPECT_EQ(o.text, "亲，非常抱歉🙏");
}

TEST_F(EngineMoodTest, UnrecognisedUpsetMessageGetsAnApologyBeforeTheQuestion) {
  const Outcome o = respond("怎么还不处理??");
  EXPECT_TRUE(o.topics.empty());
  EXPECT_EQ(o.text, "亲，非常抱歉让您着急了🙏\n您想问什么呢");
}

TEST_F(EngineMoodTest, QueueTextsFollowTheMoodAndTheChannel) {
  const Engine& engine = *built_.engine;
  EXPECT_EQ(engine.queue_text(Engine::QueueText::kNotice, 0, reply::Mood::kCalm, "default", 0), "亲，客服马上就来😊");
  EXPECT_EQ(engine.queue_text(Engine::QueueText::kNotice, 0, reply::Mood::kCalm, "taobao", 0),
            "亲，客服马上就来/:^_^");
  const std::string upset = engine.queue_text(Engine::QueueText::kNotice, 0, reply::Mood::kUpset, "taobao", 1);
  EXPECT_EQ(upset, "实在抱歉🙏\n客服马上就来");
  // The place in line follows a reply that apologised already.
  const std::string position = engine.queue_text(Engine::QueueText::kPosition, 3, reply::Mood::kUpset, "default", 0);
  EXPECT_EQ(position.find("抱歉"), std::string::npos) << position;
  EXPECT_EQ(position.find("😊"), std::string::npos) << position;
}

TEST(EngineMood, WithoutAMoodFileOnlyAComplaintIsUpset) {
  const auto built = testing::build_engine(testing::test_intent_files());
  ASSERT_NE(built.engine, nullptr) << testing::describe(built.diagnostics);
  EXPECT_EQ(built.engine->respond("发什么快递??", {}, "default").mood, reply::Mood::kCalm);
  const Outcome complaint = built.engine->respond("差评", {}, "default");
  EXPECT_EQ(complaint.mood, reply::Mood::kUpset);
  EXPECT_EQ(complaint.text, "亲，非常抱歉🙏");
}

}  // namespace
}  // namespace xiaoer::engine
