// IntentSet: the compiled, immutable form of an IntentCatalog.
//
// Every keyword, pattern and exclusion of every intent is one rule of a
// RuleMatcher, which runs only the rules whose literals the message holds.
// Slot patterns (which need captures) are compiled per intent and run only
// for the intents chosen.
//
// Only build() makes one: it returns a complete set or every error, never a
// half-built object. Thread safety: immutable; share freely (RE2 objects are
// safe for concurrent use).
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "daemon/common/diagnostic.hpp"
#include "daemon/nlu/intent.hpp"
#include "daemon/nlu/lexicon.hpp"
#include "daemon/nlu/match_memo.hpp"
#include "daemon/nlu/rule_matcher.hpp"
#include "daemon/nlu/slots.hpp"

namespace xiaoer::nlu {

class IntentSet {
 public:
  struct Options {
    // RE2's memory budget for each rule: its program and the DFA states
    // traffic builds for it (RE2's own default). A DFA that fills it is
    // emptied and built again.
    std::int64_t max_mem = 8 << 20;
  };

  // How many texts' matches the set remembers (MatchMemo: at most ~1 KiB
  // each with the map's overhead).
  static constexpr std::size_t kMemoTexts = 16384;

  // CompiledRule::intent of a rule of the mood file's `upset`.
  static constexpr int kMoodRule = -1;

  // One rule of the matcher: which intent (or kMoodRule), which kind,
  // what weight.
  struct CompiledRule {
    int intent = 0;
    RuleKind kind = RuleKind::kPattern;
    int weight = 0;
    const Rule* source = nullptr;  // points into intents() or mood()
  };

  struct BuildResult {
    std::shared_ptr<const IntentSet> set;  // null when diagnostics has errors
    common::Diagnostics diagnostics;       // errors, and warnings on costly patterns
  };

  static BuildResult build(IntentCatalog catalog, const Options& options);

  IntentSet(const IntentSet&) = delete;
  IntentSet& operator=(const IntentSet&) = delete;

  const std::vector<Intent>& intents() const { return intents_; }
  const MoodRules& mood() const { return mood_; }
  const Fallback& fallback() const { return fallback_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }

  // Index of the intent called `name`, or -1.
  int find(std::string_view name) const;

  // Indices (into rules()) of every rule that matches `normalized`,
  // ascending, written to `hits` (cleared first).
  void match(std::string_view normalized, std::vector<int>* hits) const;

  // The rules as RE2 runs them, one by one (for checks of match()).
  const RuleMatcher& matcher() const { return matcher_; }

  // The slots of intent `intent` found in `normalized`. Built-in height and
  // weight read bare numbers too when `bare_numbers` is set, for what
  // `known` (earlier messages) lacks.
  SlotMap extract_slots(int intent, std::string_view normalized, bool bare_numbers, const SlotMap& known = {}) const;

  // Total RE2 program size of all rules compiled one by one: a measure of
  // the set's cost that `xiaoerd check` reports.
  std::int64_t program_size() const { return program_size_; }

 private:
  struct CompiledSlot {
    const SlotSpec* spec;
    std::unique_ptr<RE2> pattern;  // kPattern only
  };

  // Takes the intents, mood and fallback of `catalog`.
  IntentSet(IntentCatalog& catalog, const Options& options);

  // Which of the intent's height and weight slots `known` has.
  Body known_body(int intent, const SlotMap& known) const;

  // Expands, checks and adds one rule to the set.
  void add_rule(const Rule& rule, int intent, LexiconTable& lexicons, common::Diagnostics& diagnostics);

  std::vector<Intent> intents_;
  MoodRules mood_;
  Fallback fallback_;
  std::vector<CompiledRule> rules_;
  RuleMatcher matcher_;
  MatchMemo memo_{kMemoTexts};
  std::vector<std::vector<CompiledSlot>> slots_;  // per intent
  std::int64_t program_size_ = 0;
  std::int64_t max_mem_;
};

// The options every rule is compiled with: UTF-8, case-insensitive, no
// logging (errors are returned), the given memory budget.
RE2::Options rule_options(std::int64_t max_mem);

}  // namespace xiaoer::nlu
