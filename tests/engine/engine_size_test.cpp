// The size dialogue: what the buyer told once is not asked for again, an
// ask for the one slot missing, and what the chart says for a height alone.
#include "daemon/engine/engine.hpp"

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace xiaoer::engine {
namespace {

constexpr const char* kSize = R"(topic: size
intents:
  size.recommend:
    keywords: {尺码: 2}
    patterns: [{re: '(穿|选|拿)(什么|多大|哪个)码', weight: 4}]
    slots: {height: {builtin: height}, weight: {builtin: weight}}
    requires: [height, weight]
    ask:
      any: ['亲，方便说下身高体重吗{smile}']
      weight: ['亲，{height}cm一般穿{size_for_height}码，说下体重我帮您确认哦', '亲，再说下体重吗']
      height: ['亲，再说下身高吗']
    replies: ['亲，{height}cm {weight}kg 建议拿{size}码哦{smile}']
    examples: ['穿什么码']
  size.fit:
    patterns: [{re: '(偏大|偏小|宽松|修身)', weight: 3}]
    slots: {height: {builtin: height}}
    replies: ['亲，{height}cm一般穿{size_for_height}码，这款尺码标准{smile}', '亲，这款尺码标准{smile}']
    examples: ['偏大吗']
)";

class EngineSizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = testing::build_engine({{"size.yaml", kSize}});
    ASSERT_NE(built_.engine, nullptr) << testing::describe(built_.diagnostics);
  }
  Outcome respond(const std::string& text, const nlu::Context& context = {}) {
    return built_.engine->respond(text, context, "default");
  }
  testing::BuiltEngine built_;
};

TEST_F(EngineSizeTest, AsksOnlyForWhatIsMissing) {
  const Outcome ask = respond("穿什么码");
  EXPECT_EQ(ask.text, "亲，方便说下身高体重吗😊");
  const Outcome height_given = respond("165", ask.next);
  EXPECT_EQ(height_given.text, "亲，再说下体重吗");  // variants rotate: the second one this turn
  const Outcome answer = respond("110", height_given.next);
  EXPECT_EQ(answer.text, "亲，165cm 55kg 建议拿M码哦😊");
  EXPECT_EQ(respond("体重55kg穿什么码").text, "亲，再说下身高吗");
}

TEST_F(EngineSizeTest, AnAskSaysWhatTheChartSaysForTheHeight) {
  EXPECT_EQ(respond("身高165穿什么码").text, "亲，165cm一般穿M码，说下体重我帮您确认哦");
  // 185 is off the chart: no {size_for_height}, so the next variant.
  EXPECT_EQ(respond("身高185穿什么码").text, "亲，再说下体重吗");
}

TEST_F(EngineSizeTest, AHeightToldForOneQuestionServesTheNext) {
  const Outcome fit = respond("我165 这款偏大吗");
  EXPECT_EQ(fit.intents, std::vector<std::string>{"size.fit"});
  EXPECT_EQ(fit.text, "亲，165cm一般穿M码，这款尺码标准😊");
  const Outcome ask = respond("那穿什么码", fit.next);
  EXPECT_EQ(ask.text, "亲，再说下体重吗");
  EXPECT_EQ(respond("一百二十斤", ask.next).text, "亲，165cm 60kg 建议拿L码哦😊");  // the larger of M and L
}

TEST(EngineSize, AskForASlotThatIsNotRequiredIsAnError) {
  const auto built = testing::build_engine({{"size.yaml", R"(topic: size
intents:
  size.recommend:
    keywords: {尺码: 3}
    slots: {height: {builtin: height}}
    requires: [height]
    ask: {weight: ['体重呢']}
    replies: ['好']
    examples: ['尺码']
)"}});
  EXPECT_EQ(built.engine, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("size.yaml:7:11: ask for 'weight': not a required slot of 'size.recommend'"), std::string::npos)
      << all;
  EXPECT_NE(all.find("requires slots but has no 'ask' replies"), std::string::npos) << all;
}

}  // namespace
}  // namespace xiaoer::engine
