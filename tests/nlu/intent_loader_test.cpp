#include "daemon/nlu/intent_loader.hpp"

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace xiaoer::nlu {
namespace {

LoadedCatalog load(const std::string& text) {
  LoadedCatalog loaded;
  load_intent_source("intents/shipping.yaml", text, *testing::normalizer(), loaded);
  return loaded;
}

TEST(IntentLoader, ReadsEveryField) {
  const LoadedCatalog loaded = load(R"(topic: shipping
defaults: {threshold: 4, priority: 60}
intents:
  shipping.courier:
    keywords: {快遞: 2, 顺丰: 3}
    patterns:
      - {re: '(什么|哪家)快递', weight: 5}
      - '发顺丰'
    exclude: ['不要快递']
    slots: {region: '(新疆|西藏)', height: {builtin: height}}
    requires: [region]
    ask: ['亲，发到哪里呢']
    replies: ['亲，默认发{courier}哦']
    examples: ['发什么快递']
    not_examples: ['快递到了']
    action: reply_and_handoff
    reason: complaint
    standalone: true
)");
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  ASSERT_EQ(loaded.catalog.intents.size(), 1u);
  const Intent& intent = loaded.catalog.intents[0];
  EXPECT_EQ(intent.name, "shipping.courier");
  EXPECT_EQ(intent.topic, "shipping");
  EXPECT_EQ(intent.threshold, 4);
  EXPECT_EQ(intent.priority, 60);
  EXPECT_EQ(intent.action, Action::kReplyAndHandoff);
  EXPECT_EQ(intent.reason, HandoffReason::kComplaint);
  EXPECT_TRUE(intent.standalone);
  ASSERT_EQ(intent.rules.size(), 5u);
  EXPECT_EQ(intent.rules[0].text, "快递");  // keywords are normalised
  EXPECT_EQ(intent.rules[0].kind, RuleKind::kKeyword);
  EXPECT_EQ(intent.rules[2].weight, 5);
  EXPECT_EQ(intent.rules[3].weight, 4);  // a bare pattern weighs the threshold
  EXPECT_EQ(intent.rules[4].kind, RuleKind::kExclude);
  EXPECT_EQ(intent.rules[2].where.to_string(), "intents/shipping.yaml:7:14");
  ASSERT_EQ(intent.slots.size(), 2u);
  EXPECT_EQ(intent.slots[1].kind, SlotKind::kHeight);
  EXPECT_EQ(intent.required_slots, std::vector<std::string>{"region"});
  EXPECT_EQ(intent.examples.at(0).where.line, 14);
}

TEST(IntentLoader, UnknownFieldNamesLineAndColumn) {
  const LoadedCatalog loaded = load("topic: shipping\nintents:\n  shipping.x:\n    keyword: {快递: 2}\n");
  ASSERT_FALSE(loaded.diagnostics.empty());
  EXPECT_EQ(loaded.diagnostics[0].to_string().rfind("intents/shipping.yaml:4:5: unknown field 'keyword'", 0), 0u)
      << loaded.diagnostics[0].to_string();
}

TEST(IntentLoader, WrongTopicPrefixAndDuplicates) {
  LoadedCatalog loaded = load(R"(topic: shipping
intents:
  refund.x: {keywords: {退货: 3}, replies: ['好'], examples: ['退货']}
)");
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_NE(loaded.diagnostics[0].message.find("must be named 'shipping'"), std::string::npos);
  EXPECT_EQ(loaded.diagnostics[0].where.line, 3);

  const std::string one = "topic: shipping\nintents:\n  shipping.a: {keywords: {快递: 3}, replies: ['好'], examples: ['快递']}\n";
  load_intent_source("intents/other.yaml", one, *testing::normalizer(), loaded = {});
  load_intent_source("intents/again.yaml", one, *testing::normalizer(), loaded);
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_NE(loaded.diagnostics[0].message.find("defined twice"), std::string::npos);
  EXPECT_EQ(loaded.diagnostics[0].where.file, "intents/again.yaml");
}

TEST(IntentLoader, BadValuesAreReportedAtTheirPlace) {
  const LoadedCatalog loaded = load(R"(topic: shipping
intents:
  shipping.a:
    keywords: {快递: heavy}
    action: shout
    threshold: 0
    requires: [region]
    replies: ['好']
    examples: ['快递']
    patterns: ['快递']
)");
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("intents/shipping.yaml:4:20: keyword weight must be a whole number"), std::string::npos) << all;
  EXPECT_NE(all.find("intents/shipping.yaml:5:13: action must be reply, handoff or reply_and_handoff"),
            std::string::npos) << all;
  EXPECT_NE(all.find("intents/shipping.yaml:6:16: threshold must be from 1 to 1000"), std::string::npos) << all;
  EXPECT_NE(all.find("required slot 'region' is not declared"), std::string::npos) << all;
  EXPECT_NE(all.find("requires slots but has no 'ask'"), std::string::npos) << all;
}

TEST(IntentLoader, MissingRepliesRulesAndExamples) {
  const LoadedCatalog loaded = load("topic: shipping\nintents:\n  shipping.a: {exclude: ['x']}\n");
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("has no keywords or patterns"), std::string::npos) << all;
  EXPECT_NE(all.find("has no replies"), std::string::npos) << all;
  EXPECT_NE(all.find("has no examples"), std::string::npos) << all;
}

TEST(IntentLoader, SyntaxErrorNamesLine) {
  const LoadedCatalog loaded = load("topic: shipping\nintents:\n  shipping.a: [unclosed\n");
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_EQ(loaded.diagnostics[0].where.file, "intents/shipping.yaml");
  EXPECT_GT(loaded.diagnostics[0].where.line, 2);
}

TEST(IntentLoader, FallbackFile) {
  LoadedCatalog loaded;
  load_intent_source("intents/fallback.yaml", testing::kTestFallback, *testing::normalizer(), loaded);
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  EXPECT_EQ(loaded.catalog.fallback.handoff_after, 2);
  EXPECT_EQ(loaded.catalog.fallback.replies.size(), 1u);
}

TEST(IntentLoader, MoodFile) {
  LoadedCatalog loaded;
  load_intent_source("intents/mood.yaml", R"(mood:
  upset:
    keywords: {怎么还: 3}
    patterns: ['[?]{2,}', {re: '等了好几天', weight: 2}]
    threshold: 4
  apologies: ['非常抱歉{sorry}']
)", *testing::normalizer(), loaded);
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  const MoodRules& mood = loaded.catalog.mood;
  EXPECT_EQ(mood.threshold, 4);
  ASSERT_EQ(mood.upset.size(), 3u);
  EXPECT_EQ(mood.upset[1].weight, 4);  // a bare pattern weighs the threshold
  EXPECT_EQ(mood.apologies.at(0).text, "非常抱歉{sorry}");

  load_intent_source("intents/bad.yaml", "mood:\n  upset: {}\n", *testing::normalizer(), loaded = {});
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("intents/bad.yaml:2:10: mood.upset has no keywords or patterns"), std::string::npos) << all;
  EXPECT_NE(all.find("mood needs 'apologies'"), std::string::npos) << all;
}

TEST(IntentLoader, MoodDefinedTwiceIsAnError) {
  LoadedCatalog loaded;
  const std::string mood = "mood:\n  upset: {keywords: {气死: 3}}\n  apologies: ['抱歉']\n";
  load_intent_source("intents/a.yaml", mood, *testing::normalizer(), loaded);
  load_intent_source("intents/b.yaml", mood, *testing::normalizer(), loaded);
  ASSERT_EQ(loaded.diagnostics.size(), 1u) << testing::describe(loaded.diagnostics);
  EXPECT_NE(loaded.diagnostics[0].to_string().find("intents/b.yaml:2:3: mood is already defined in intents/a.yaml"),
            std::string::npos)
      << loaded.diagnostics[0].to_string();
}

}  // namespace
}  // namespace xiaoer::nlu
