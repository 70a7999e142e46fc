#include "daemon/engine/engine.hpp"

#include <gtest/gtest.h>

#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::engine {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = testing::build_engine(testing::test_intent_files());
    ASSERT_NE(built_.engine, nullptr) << testing::describe(built_.diagnostics);
  }
  Outcome respond(const std::string& text, const nlu::Context& context = {}, const std::string& channel = "default") {
    return built_.engine->respond(text, context, channel);
  }
  testing::BuiltEngine built_;
};

TEST_F(EngineTest, RepliesFromShopFactsWithEmoji) {
  const Outcome o = respond("发什么快递");
  EXPECT_EQ(o.kind, Outcome::Kind::kReply);
  EXPECT_EQ(o.text, "亲，默认发中通快递哦😊");
  EXPECT_EQ(o.topics, std::vector<std::string>{"shipping"});
}

TEST_F(EngineTest, EmojiCuesArePerChannel) {
  EXPECT_EQ(respond("发什么快递", {}, "taobao").text, "亲，默认发中通快递哦/:^_^");
  EXPECT_EQ(respond("发什么快递", {}, "unknown-channel").text, "亲，默认发中通快递哦😊");
}

TEST_F(EngineTest, AnchoredPatternsSurviveEmoticonsOpenersAndParticles) {
  for (const char* text : {"你好[微笑]", "在吗😊", "亲～", "[姓名x] 在吗", "客服，在吗"}) {
    const Outcome o = respond(text);
    EXPECT_EQ(o.intents, std::vector<std::string>{"greeting"}) << text << " → " << o.core;
  }
  const Outcome o = respond("亲，发什么快递呀～");
  EXPECT_EQ(o.core, "发什么快递");
  EXPECT_EQ(o.intents, std::vector<std::string>{"shipping.courier"});
}

TEST_F(EngineTest, VariantsRotateSoTheSameQuestionGetsANewSentence) {
  const Outcome first = respond("发什么快递");
  const Outcome second = respond("发什么快递", first.next);
  const Outcome third = respond("发什么快递", second.next);
  EXPECT_NE(first.text, second.text);
  EXPECT_EQ(first.text, third.text);
}

TEST_F(EngineTest, TwoTopicsAnsweredInOneReply) {
  const Outcome o = respond("发什么快递 能开发票吗");
  EXPECT_EQ(o.topics, (std::vector<std::string>{"shipping", "invoice"}));
  EXPECT_NE(o.text.find("中通快递"), std::string::npos);
  EXPECT_NE(o.text.find("电子发票"), std::string::npos);
}

TEST_F(EngineTest, SizeDialogueOverTwoMessages) {
  const Outcome ask = respond("穿什么码");
  EXPECT_EQ(ask.text, "亲，方便说下身高体重吗😊");
  EXPECT_EQ(ask.next.awaiting, "size.recommend");
  const Outcome answer = respond("165 110", ask.next);
  EXPECT_EQ(answer.intents, std::vector<std::string>{"size.recommend"});
  EXPECT_EQ(answer.text, "亲，165cm 55kg 建议拿M码哦😊");
  EXPECT_TRUE(answer.next.awaiting.empty());
}

TEST_F(EngineTest, SizeDialogueRemembersAPartialAnswer) {
  const Outcome ask = respond("身高165穿什么码");
  EXPECT_EQ(ask.next.awaiting, "size.recommend");
  ASSERT_NE(ask.next.slots.find("height"), nullptr);
  const Outcome answer = respond("体重52公斤", ask.next);
  EXPECT_EQ(answer.text, "亲，165cm 52kg 建议拿M码哦😊");
}

TEST_F(EngineTest, SizeInOneMessageAnyOrderAndUnits) {
  EXPECT_EQ(respond("55kg 1米65 穿什么码").text, "亲，165cm 55kg 建议拿M码哦😊");
  EXPECT_EQ(respond("身高175 体重120斤 选多大码").text, "亲，175cm 60kg 建议拿L码哦😊");
  // Taller than weight says: the larger size wins.
  EXPECT_EQ(respond("身高175 体重90斤 穿什么码").text, "亲，175cm 45kg 建议拿L码哦😊");
}

TEST_F(EngineTest, BodyOffTheChartGoesToAHuman) {
  const Outcome o = respond("身高195 体重100kg 穿什么码");
  EXPECT_EQ(o.kind, Outcome::Kind::kHandoff);
  EXPECT_EQ(o.reason, nlu::HandoffReason::kIntent);
  EXPECT_EQ(o.text, "亲，马上为您转人工客服😊");  // the intent has no handoff_replies
}

TEST_F(EngineTest, BodyOffTheChartIsToldWhyInTheIntentsOwnWords) {
  auto files = testing::test_intent_files();
  const std::string replies = "    replies: ['亲，{height}cm {weight}kg 建议拿{size}码哦{smile}']\n";
  bool edited = false;
  for (auto& [name, yaml] : files) {
    if (const auto at = yaml.find(replies); at != std::string::npos) {
      yaml.insert(at + replies.size(), "    handoff_replies: ['亲，{height}cm {weight}kg 不在尺码表里，帮您转人工{smile}']\n");
      edited = true;
    }
  }
  ASSERT_TRUE(edited);
  const testing::BuiltEngine built = testing::build_engine(files);
  ASSERT_NE(built.engine, nullptr) << testing::describe(built.diagnostics);
  const Outcome off = built.engine->respond("身高195 体重100kg 穿什么码", {}, "default");
  EXPECT_EQ(off.kind, Outcome::Kind::kHandoff);
  EXPECT_EQ(off.reason, nlu::HandoffReason::kIntent);
  EXPECT_EQ(off.text, "亲，195cm 100kg 不在尺码表里，帮您转人工😊");
  const Outcome on = built.engine->respond("身高165 体重55kg 穿什么码", {}, "default");
  EXPECT_EQ(on.kind, Outcome::Kind::kReply);
  EXPECT_EQ(on.text, "亲，165cm 55kg 建议拿M码哦😊");
}

TEST_F(EngineTest, RegionSlotChoosesDeliveryDays) {
  EXPECT_EQ(respond("发新疆几天能到").text, "亲，发新疆一般5-7天到😊");
  EXPECT_EQ(respond("几天能到").text, "亲，发您那边一般2-4天到😊");
}

TEST_F(EngineTest, ComplaintRepliesAndHandsOffWithPriority) {
  const Outcome o = respond("发什么快递 不发我就差评");
  EXPECT_EQ(o.kind, Outcome::Kind::kHandoff);
  EXPECT_EQ(o.reason, nlu::HandoffReason::kComplaint);
  EXPECT_EQ(o.intents.front(), "complaint");
  EXPECT_EQ(o.text.rfind("亲，非常抱歉🙏", 0), 0u);
}

TEST_F(EngineTest, AskedForHumanHandsOffAtOnce) {
  const Outcome o = respond("转人工");
  EXPECT_EQ(o.kind, Outcome::Kind::kHandoff);
  EXPECT_EQ(o.reason, nlu::HandoffReason::kAskedForHuman);
  EXPECT_EQ(o.text, "亲，马上为您转人工客服😊");  // no replies of its own: the handoff notice
}

TEST_F(EngineTest, SecondUnresolvedMessageHandsOff) {
  const Outcome first = respond("这个手机能防水吗");
  EXPECT_EQ(first.kind, Outcome::Kind::kReply);
  EXPECT_TRUE(first.topics.empty());
  EXPECT_EQ(first.text, "亲，您想问什么呢😊");
  EXPECT_EQ(first.next.unresolved, 1);
  const Outcome second = respond("电池多大", first.next);
  EXPECT_EQ(second.kind, Outcome::Kind::kHandoff);
  EXPECT_EQ(second.reason, nlu::HandoffReason::kUnresolved);
  EXPECT_EQ(second.next.unresolved, 0);
}

TEST_F(EngineTest, ARecognisedMessageResetsTheUnresolvedCount) {
  const Outcome first = respond("这个手机能防水吗");
  const Outcome second = respond("发什么快递", first.next);
  EXPECT_EQ(second.next.unresolved, 0);
  EXPECT_EQ(respond("电池多大", second.next).kind, Outcome::Kind::kReply);
}

TEST_F(EngineTest, NeverFailsOnHostileText) {
  const std::string long_text(100000, 'a');
  EXPECT_EQ(respond(long_text).kind, Outcome::Kind::kReply);
  EXPECT_EQ(respond(std::string("\xff\xfe\x00\x01", 4)).topics.size(), 0u);
  EXPECT_EQ(respond("").topics.size(), 0u);
}

TEST(EngineBuild, UnknownPlaceholderNamesFileLineAndColumn) {
  const auto built = testing::build_engine({{"intents/x.yaml", R"(topic: x
intents:
  x:
    keywords: {快递: 3}
    replies: ['亲，我们发{carrier}哦']
    examples: ['快递']
)"}});
  EXPECT_EQ(built.engine, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("intents/x.yaml:5:21: unknown placeholder '{carrier}'"), std::string::npos) << all;
}

TEST(EngineBuild, NonCompliantReplyIsAnError) {
  const auto built = testing::build_engine({{"intents/x.yaml", R"(topic: x
intents:
  x:
    keywords: {快递: 3}
    replies: ['亲，加我微信聊', '我们家最便宜了']
    examples: ['快递']
)"}});
  EXPECT_EQ(built.engine, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("intents/x.yaml:5:15: reply names a third-party platform or contact ('微信')"),
            std::string::npos) << all;
  EXPECT_NE(all.find("intents/x.yaml:5:26: reply contains the banned word '最便宜'"), std::string::npos) << all;
}

}  // namespace
}  // namespace xiaoer::engine
