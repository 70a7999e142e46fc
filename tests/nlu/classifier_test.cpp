#include "daemon/nlu/classifier.hpp"

#include <gtest/gtest.h>

#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::nlu {
namespace {

class ClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    built_ = testing::build_engine(testing::test_intent_files());
    ASSERT_NE(built_.engine, nullptr) << testing::describe(built_.diagnostics);
  }

  std::vector<std::string> chosen(const std::string& text, const Context& context = {}) {
    const IntentSet& set = built_.engine->intent_set();
    const Classification c = classify(set, built_.engine->normalizer().normalize(text), context);
    std::vector<std::string> names;
    for (int i : c.chosen) names.push_back(set.intents()[i].name);
    return names;
  }

  testing::BuiltEngine built_;
};

using Names = std::vector<std::string>;

TEST_F(ClassifierTest, KeywordsAndPatternsScore) {
  EXPECT_EQ(chosen("亲 发什么快递"), Names{"shipping.courier"});
  EXPECT_EQ(chosen("能开发票吗"), Names{"invoice.request"});
}

TEST_F(ClassifierTest, OneWeakCueStaysBelowThreshold) {
  EXPECT_EQ(chosen("快递"), Names{});        // weight 1 < threshold 3
  EXPECT_EQ(chosen("能发顺丰快递吗"), Names{"shipping.courier"});  // 1 + 2
}

TEST_F(ClassifierTest, ExclusionsWin) {
  EXPECT_EQ(chosen("不要发票"), Names{});
  EXPECT_EQ(chosen("不是尺码问题"), Names{});
  EXPECT_EQ(chosen("衣服已经到了"), Names{});
  EXPECT_EQ(chosen("衣服什么时候到"), Names{"shipping.eta"});
}

TEST_F(ClassifierTest, TwoTopicsInOneMessage) {
  EXPECT_EQ(chosen("发什么快递 能开发票吗"), (Names{"shipping.courier", "invoice.request"}));
}

// The chosen intents of `text` under an intent set of its own.
std::vector<std::string> chosen_in(const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::string& text) {
  const testing::BuiltEngine built = testing::build_engine(files);
  EXPECT_NE(built.engine, nullptr) << testing::describe(built.diagnostics);
  if (built.engine == nullptr) return {};
  const IntentSet& set = built.engine->intent_set();
  const Classification c = classify(set, built.engine->normalizer().normalize(text), {});
  std::vector<std::string> names;
  for (int i : c.chosen) names.push_back(set.intents()[i].name);
  return names;
}

// A standalone intent that fires inside a longer message (its cue is not
// anchored) is dropped when a regular intent fires too; alone it is chosen.
// (Issue 10, defect 8: the shipped greeting is anchored, so the old test
// passed with the suppression deleted.)
TEST_F(ClassifierTest, StandaloneOnlyWhenAlone) {
  EXPECT_EQ(chosen("在吗"), Names{"greeting"});
  const std::vector<std::pair<std::string, std::string>> files = {
      {"hello.yaml", R"(topic: hello
intents:
  hello:
    standalone: true
    keywords: {亲亲: 4}
    replies: ['亲，在的']
    examples: ['亲亲']
)"},
      {"courier.yaml", R"(topic: courier
intents:
  courier:
    keywords: {快递: 4}
    replies: ['亲，发顺丰']
    examples: ['快递']
)"}};
  EXPECT_EQ(chosen_in(files, "亲亲"), Names{"hello"});
  EXPECT_EQ(chosen_in(files, "亲亲 快递"), Names{"courier"}) << "a standalone intent chosen beside a regular one";
}

// Two intents of one topic with the same score: only one can be chosen, and
// it is the one with the higher priority, not the one loaded first. (The
// old test used two topics, so both were chosen whatever the priority.)
TEST_F(ClassifierTest, PriorityBreaksTies) {
  const std::vector<std::pair<std::string, std::string>> files = {{"pair.yaml", R"(topic: pair
intents:
  pair.first:
    keywords: {甲方: 4}
    replies: ['一']
    examples: ['甲方']
  pair.urgent:
    priority: 90
    keywords: {乙方: 4}
    replies: ['二']
    examples: ['乙方']
)"}};
  EXPECT_EQ(chosen_in(files, "甲方 乙方"), Names{"pair.urgent"});
}

TEST_F(ClassifierTest, TraditionalInputMatchesSimplifiedRules) {
  EXPECT_EQ(chosen("請問發什麼快遞"), Names{"shipping.courier"});
  EXPECT_EQ(chosen("能開發票嗎"), Names{"invoice.request"});
}

TEST_F(ClassifierTest, SlotsComeFromTheMessage) {
  const IntentSet& set = built_.engine->intent_set();
  const Classification c = classify(set, "身高165体重110斤穿什么码", {});
  ASSERT_EQ(c.chosen.size(), 1u);
  ASSERT_NE(c.slots.find("height"), nullptr);
  EXPECT_EQ(*c.slots.find("height"), "165");
  EXPECT_EQ(*c.slots.find("weight"), "55");
  EXPECT_FALSE(c.from_context);
}

TEST_F(ClassifierTest, ContextCompletesTheAskedIntent) {
  Context context;
  context.awaiting = "size.recommend";
  EXPECT_EQ(chosen("165 110", context), Names{"size.recommend"});
  EXPECT_EQ(chosen("165 110", {}), Names{});
  // Another clear topic wins over the pending question.
  EXPECT_EQ(chosen("能开发票吗", context), Names{"invoice.request"});
}

TEST_F(ClassifierTest, ConfidenceGrowsWithScore) {
  const IntentSet& set = built_.engine->intent_set();
  const Classification weak = classify(set, "能发顺丰快递吗", {});
  const Classification strong = classify(set, "发什么快递 顺丰", {});
  EXPECT_GT(strong.confidence, weak.confidence);
  EXPECT_LE(strong.confidence, 1.0);
}

TEST_F(ClassifierTest, FiredRulesAreReportedInOrder) {
  const IntentSet& set = built_.engine->intent_set();
  const Classification c = classify(set, "发什么快递", {});
  ASSERT_GE(c.fired_rules.size(), 2u);
  EXPECT_TRUE(std::is_sorted(c.fired_rules.begin(), c.fired_rules.end()));
  for (int index : c.fired_rules) EXPECT_EQ(set.intents()[set.rules()[index].intent].name, "shipping.courier");
}

TEST(IntentSet, BadPatternIsReportedAtItsPlace) {
  const auto built = testing::build_engine({{"intents/x.yaml", R"(topic: x
intents:
  x:
    patterns: ['(什么|哪家快递']
    replies: ['好']
    examples: ['什么']
)"}});
  EXPECT_EQ(built.engine, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("intents/x.yaml:4:16: bad pattern '(什么|哪家快递': missing )"), std::string::npos) << all;
}

TEST(IntentSet, WarnsOnCostlyGapPatterns) {
  const auto built = testing::build_engine({{"intents/x.yaml", R"(topic: x
intents:
  x:
    patterns: ['退.{0,10}款', '退.{0,2}款']
    replies: ['好']
    examples: ['退款']
)"}});
  ASSERT_NE(built.engine, nullptr) << testing::describe(built.diagnostics);
  ASSERT_EQ(built.diagnostics.size(), 1u);
  EXPECT_EQ(built.diagnostics[0].severity, common::Severity::kWarning);
  EXPECT_NE(built.diagnostics[0].message.find("costly pattern '退.{0,10}款'"), std::string::npos);
}

TEST(IntentSet, RuleOverItsMemoryBudgetIsAnError) {
  // The budget is each rule's: 200,000 bytes hold a small pattern, not one
  // of thousands of instructions.
  nlu::LoadedCatalog loaded;
  nlu::load_intent_source("x.yaml",
                          "topic: x\nintents:\n  x:\n    patterns: ['\\p{Han}{300}', '退款']\n"
                          "    replies: ['好']\n    examples: ['退款']\n",
                          *testing::normalizer(), loaded);
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  const auto built = IntentSet::build(std::move(loaded.catalog), IntentSet::Options{200000});
  EXPECT_EQ(built.set, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("x.yaml:4:"), std::string::npos) << all;
  EXPECT_NE(all.find("'\\p{Han}{300}': RE2 could not compile it within max_mem 200000"), std::string::npos) << all;
  EXPECT_EQ(all.find("退款"), std::string::npos) << all;
}

}  // namespace
}  // namespace xiaoer::nlu
