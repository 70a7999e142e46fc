#include "daemon/nlu/rule_matcher.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "daemon/engine/engine.hpp"
#include "daemon/nlu/core_form.hpp"
#include "daemon/nlu/intent_set.hpp"

namespace xiaoer::nlu {
namespace {

std::vector<int> match(const RuleMatcher& matcher, std::string_view text) {
  std::vector<int> hits;
  matcher.match(text, &hits);
  return hits;
}

// What the filter must give: every rule run alone.
std::vector<int> each_alone(const RuleMatcher& matcher, std::string_view text) {
  std::vector<int> hits;
  for (int i = 0; i < matcher.size(); ++i) {
    if (RE2::PartialMatch(text, matcher.rule(i))) hits.push_back(i);
  }
  return hits;
}

RuleMatcher& compiled(RuleMatcher& matcher, const std::vector<std::string>& rules) {
  for (const std::string& rule : rules) EXPECT_TRUE(matcher.add(rule, rule_options(8 << 20))) << rule;
  matcher.compile();
  return matcher;
}

TEST(RuleMatcher, RunsOnlyWhatTheLiteralsAllowAndFindsEveryMatch) {
  RuleMatcher matcher;
  compiled(matcher, {"(穿|拿)(多大|几)(码|号)", "退款", "(能|可以).{0,4}退", "^[0-9]{11}$", "xl|xxl"});
  EXPECT_GT(matcher.atom_count(), 5u);
  EXPECT_EQ(match(matcher, "我穿多大码"), (std::vector<int>{0}));
  EXPECT_EQ(match(matcher, "可以申请退款吗"), (std::vector<int>{1, 2}));
  EXPECT_EQ(match(matcher, "13800138000"), (std::vector<int>{3}));  // no literal: always run
  EXPECT_EQ(match(matcher, "拍XL还是XXL"), (std::vector<int>{4}));
  EXPECT_EQ(match(matcher, "发货了吗"), std::vector<int>{});
}

TEST(RuleMatcher, LettersWithCaseBeyondAsciiMatchAsRe2FoldsThem) {
  RuleMatcher matcher;
  compiled(matcher, {"kg", "σοφία", "größe"});
  EXPECT_EQ(match(matcher, "60\u212Ag"), (std::vector<int>{0}));  // the Kelvin sign folds to k
  EXPECT_EQ(match(matcher, "ΣΟΦΊΑ"), (std::vector<int>{1}));
  EXPECT_EQ(match(matcher, "GRÖSSE"), std::vector<int>{});  // RE2 folds simply: ß is not ss
  EXPECT_EQ(match(matcher, "GRÖßE"), (std::vector<int>{2}));
}

TEST(RuleMatcher, CasedLettersBeyondAsciiAreTold) {
  EXPECT_FALSE(has_cased_letter_beyond_ascii("有没有XL码，30℃水洗～①★"));
  EXPECT_FALSE(has_cased_letter_beyond_ascii("한국어 かな カナ"));
  EXPECT_TRUE(has_cased_letter_beyond_ascii("\u212A"));  // Kelvin sign
  EXPECT_TRUE(has_cased_letter_beyond_ascii("µ"));
  EXPECT_TRUE(has_cased_letter_beyond_ascii("Ａ"));  // full-width
  EXPECT_TRUE(has_cased_letter_beyond_ascii("ΣΟΦΊΑ"));
  EXPECT_TRUE(has_cased_letter_beyond_ascii("Ⓐ"));
}

// The shipped intents over every line of our own corpus (and each line's
// core form, which the classifier matches): the filter chooses exactly the
// rules that match alone, and so does the set's memo when asked again.
TEST(RuleMatcher, ShippedIntentsAgreeWithEveryRuleRunAlone) {
  engine::EngineSources sources;
  sources.intents_dir = std::string(XIAOER_SOURCE_DIR) + "/intents";
  sources.shop_file = std::string(XIAOER_SOURCE_DIR) + "/config/shop.yaml";
  const auto loaded = engine::Engine::load(sources);
  ASSERT_NE(loaded.engine, nullptr);
  const IntentSet& set = loaded.engine->intent_set();
  int lines = 0;
  for (const char* part : {"corpus_tune.jsonl", "corpus_check.jsonl"}) {
    std::ifstream in(std::string(XIAOER_SOURCE_DIR) + "/tests/data/" + part);
    for (std::string line; std::getline(in, line);) {
      const std::string text = nlohmann::json::parse(line).at("text").get<std::string>();
      const std::string normalized = loaded.engine->normalizer().normalize(text);
      for (const std::string& form : {normalized, core_form(normalized)}) {
        const std::vector<int> expected = each_alone(set.matcher(), form);
        ASSERT_EQ(match(set.matcher(), form), expected) << form;
        std::vector<int> hits;
        set.match(form, &hits);
        ASSERT_EQ(hits, expected) << form;
        set.match(form, &hits);
        ASSERT_EQ(hits, expected) << form << " (from the memo)";
      }
      ++lines;
    }
  }
  EXPECT_GT(lines, 1000);
}

}  // namespace
}  // namespace xiaoer::nlu
