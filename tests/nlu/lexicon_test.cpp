#include "daemon/nlu/lexicon.hpp"

#include <gtest/gtest.h>

#include "daemon/nlu/classifier.hpp"
#include "daemon/nlu/intent_loader.hpp"
#include "daemon/nlu/intent_set.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::nlu {
namespace {

constexpr const char* kLexicons = R"(lexicons:
  garment: [衣服, 裤子, 鞋子, 鞋]
  top: [T恤, 衬衫]
  clothing: ['{garment}', '{top}', 衣服]
)";

// Loads (file name, YAML) pairs and builds the set; `built.diagnostics`
// holds the loader's diagnostics too.
IntentSet::BuildResult build(const std::vector<std::pair<std::string, std::string>>& files) {
  LoadedCatalog loaded;
  for (const auto& [name, text] : files) load_intent_source(name, text, *testing::normalizer(), loaded);
  if (common::has_errors(loaded.diagnostics)) return {nullptr, loaded.diagnostics};
  IntentSet::BuildResult built = IntentSet::build(std::move(loaded.catalog), IntentSet::Options{});
  built.diagnostics.insert(built.diagnostics.begin(), loaded.diagnostics.begin(), loaded.diagnostics.end());
  return built;
}

std::string size_intent(const std::string& rules) {
  return "topic: size\nintents:\n  size.fit:\n" + rules + "    replies: ['好']\n    examples: ['鞋小了']\n";
}

std::vector<std::string> chosen(const IntentSet& set, std::string_view text) {
  std::vector<std::string> names;
  for (int c : classify(set, testing::normalizer()->normalize(text), Context{}).chosen) {
    names.push_back(set.intents()[c].name);
  }
  return names;
}

TEST(Lexicon, ReferencesSkipRepetitionsAndEscapes) {
  const std::string text = R"(\d{2,3}斤|{garment}a{2}\{top}{x_1}{Bad}{,3})";
  const std::vector<LexiconReference> refs = find_lexicon_references(text);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].name, "garment");
  EXPECT_EQ(text.substr(refs[0].offset, refs[0].size), "{garment}");
  EXPECT_EQ(refs[1].name, "x_1");
  EXPECT_EQ(whole_lexicon_reference("{top}"), "top");
  EXPECT_EQ(whole_lexicon_reference("{top}衣"), "");
}

// Words in descending byte order: a word before its prefixes (鞋子 before 鞋),
// words sharing a prefix together.
TEST(Lexicon, ExpandsToQuotedAlternationWordsBeforeTheirPrefixesNestingFlattened) {
  LoadedCatalog loaded;
  load_intent_source("lexicons.yaml", kLexicons, *testing::normalizer(), loaded);
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  common::Diagnostics diagnostics;
  LexiconTable table(loaded.catalog.lexicons, diagnostics);
  std::string out;
  ASSERT_TRUE(table.expand("{garment}(小|大)了{2}", false, {}, 0, &out));
  EXPECT_EQ(out, "(?:鞋子|鞋|裤子|衣服)(小|大)了{2}");
  // Words are normalised (T恤 → t恤); nested lexicons flatten, each word once.
  ASSERT_TRUE(table.expand("{clothing}", false, {}, 0, &out));
  EXPECT_EQ(out, "(?:鞋子|鞋|裤子|衬衫|衣服|t恤)");
  // A keyword's literal parts are quoted.
  ASSERT_TRUE(table.expand("{top}.?", true, {}, 0, &out));
  EXPECT_EQ(out, "(?:衬衫|t恤)\\.\\?");
  table.report_unused();
  EXPECT_TRUE(diagnostics.empty()) << testing::describe(diagnostics);
}

TEST(Lexicon, PatternsExclusionsKeywordsAndSlotsUseThem) {
  const auto built = build({{"lexicons.yaml", kLexicons},
                            {"size.yaml", size_intent("    keywords: {'{garment}小了': 3}\n"
                                                      "    patterns: [{re: '{top}(太|有点)(大|长)', weight: 3}]\n"
                                                      "    exclude: ['不是{clothing}']\n"
                                                      "    slots: {item: '({clothing})'}\n")}});
  ASSERT_NE(built.set, nullptr) << testing::describe(built.diagnostics);
  EXPECT_TRUE(built.diagnostics.empty()) << testing::describe(built.diagnostics);
  const IntentSet& set = *built.set;
  EXPECT_EQ(chosen(set, "鞋子小了"), std::vector<std::string>{"size.fit"});
  EXPECT_EQ(chosen(set, "衬衫有点长"), std::vector<std::string>{"size.fit"});
  EXPECT_TRUE(chosen(set, "鞋子小了 不是衬衫").empty());
  EXPECT_TRUE(chosen(set, "袜子小了").empty());
  // The keyword keeps its weight and its text as written.
  const Rule& keyword = set.intents()[0].rules[0];
  EXPECT_EQ(keyword.kind, RuleKind::kKeyword);
  EXPECT_EQ(keyword.text, "{garment}小了");
  EXPECT_EQ(keyword.weight, 3);
  // The slot takes the longest word.
  const SlotMap slots = set.extract_slots(0, "鞋子太小", false);
  ASSERT_NE(slots.find("item"), nullptr);
  EXPECT_EQ(*slots.find("item"), "鞋子");
}

TEST(Lexicon, UnknownNameIsAnErrorAtTheReference) {
  const auto built = build({{"lexicons.yaml", kLexicons},
                            {"size.yaml", size_intent("    patterns: ['{garment}太{sizes}', {re: '{shoe}', weight: 3}]\n")}});
  EXPECT_EQ(built.set, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("size.yaml:4:27: unknown lexicon 'sizes'"), std::string::npos) << all;
  EXPECT_NE(all.find("size.yaml:4:43: unknown lexicon 'shoe'"), std::string::npos) << all;
}

TEST(Lexicon, CycleIsAnError) {
  const auto built = build({{"lexicons.yaml", "lexicons:\n  a: ['{b}', 甲]\n  b: [乙, '{c}']\n  c: ['{a}']\n"},
                            {"size.yaml", size_intent("    patterns: ['{a}']\n")}});
  EXPECT_EQ(built.set, nullptr);
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("lexicons.yaml:4:7: lexicon cycle: a → b → c → a"), std::string::npos) << all;
}

TEST(Lexicon, DuplicateAcrossFilesNamesBothPlaces) {
  const auto built = build({{"a.yaml", kLexicons}, {"b.yaml", "lexicons:\n  top: [卫衣]\n"}});
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("b.yaml:2:3: lexicon 'top' is already defined at a.yaml:3:3"), std::string::npos) << all;
}

TEST(Lexicon, BadNameAndEmptyLexiconAreErrors) {
  const auto built = build({{"lexicons.yaml", "lexicons:\n  Garment: [衣服]\n  empty: []\n  blank: ['  ']\n"}});
  const std::string all = testing::describe(built.diagnostics);
  EXPECT_NE(all.find("lexicons.yaml:2:3: lexicon name 'Garment' must be a lower-case letter"), std::string::npos)
      << all;
  EXPECT_NE(all.find("lexicons.yaml:3:3: lexicon 'empty' is empty"), std::string::npos) << all;
  EXPECT_NE(all.find("lexicons.yaml:4:11: lexicon word is empty once normalised"), std::string::npos) << all;
}

TEST(Lexicon, UnusedLexiconIsAWarningAtItsDefinition) {
  const auto built = build({{"lexicons.yaml", kLexicons}, {"size.yaml", size_intent("    patterns: ['{garment}小']\n")}});
  ASSERT_NE(built.set, nullptr) << testing::describe(built.diagnostics);
  ASSERT_EQ(built.diagnostics.size(), 1u) << testing::describe(built.diagnostics);
  EXPECT_EQ(built.diagnostics[0].severity, common::Severity::kWarning);
  // top is used by clothing, but clothing by nothing.
  EXPECT_EQ(built.diagnostics[0].to_string(),
            "lexicons.yaml:4:3: warning: lexicon 'clothing' is not used by any rule");
}

TEST(Lexicon, RepetitionsAreUntouched) {
  const auto built = build({{"lexicons.yaml", "lexicons:\n  unit: [斤, 公斤]\n"},
                            {"size.yaml", size_intent("    patterns: ['[0-9]{2,3}{unit}', 'a{2}b{1,}']\n")}});
  ASSERT_NE(built.set, nullptr) << testing::describe(built.diagnostics);
  EXPECT_EQ(chosen(*built.set, "120斤"), std::vector<std::string>{"size.fit"});
  EXPECT_EQ(chosen(*built.set, "55公斤"), std::vector<std::string>{"size.fit"});
  EXPECT_TRUE(chosen(*built.set, "5斤").empty());
  EXPECT_EQ(chosen(*built.set, "aab"), std::vector<std::string>{"size.fit"});
}

}  // namespace
}  // namespace xiaoer::nlu
