// RuleMatcher: which of many regular expressions match a text, choosing
// first, from the literals each one needs, the few that can.
//
// Why not one RE2::Set: its lazy DFA builds a state for every new stretch of
// text, and a state of a 1,000-rule set holds the start of every rule, so a
// message never seen before cost ~1.2 M instructions (0.3–0.4 ms) while a
// repeated one cost 2.6 k; a burst of new text made the I/O thread fall
// seconds behind (docs/benchmarks.md, the latency knee). Here RE2's
// FilteredRE2 reduces each rule to an AND/OR tree of the literals ("atoms")
// any match must contain, a LiteralScanner (built whole, nothing lazy)
// finds the atoms a text holds, and only the rules whose tree is satisfied
// run, each a small program with a small DFA of its own. The rules chosen
// are exactly those that match: the tree only rules out rules that cannot.
//
// Atoms are lower-case. ASCII letters are folded by the scanner; a text
// with a letter outside ASCII that has a case (Latin with accents, Greek,
// Cyrillic, the Kelvin sign, full-width Latin…) is matched against every
// rule, since RE2's case-insensitive match folds it and the scanner does not.
//
// Thread safety: immutable once compiled; match() may run on many threads.
#pragma once

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/nlu/literal_scanner.hpp"

namespace xiaoer::nlu {

class RuleMatcher {
 public:
  RuleMatcher();
  RuleMatcher(const RuleMatcher&) = delete;
  RuleMatcher& operator=(const RuleMatcher&) = delete;

  // Adds a rule; its index is the number of rules added before it. Returns
  // false (the rule not added) when RE2 refuses it; the caller reports the
  // error of compiling it alone.
  bool add(std::string_view regex, const RE2::Options& options);

  // Prepares the filter. Call once, after every add(), before match().
  void compile();

  int size() const { return filtered_.NumRegexps(); }

  // Number of distinct atoms the filter looks for.
  std::size_t atom_count() const { return atom_count_; }

  // Indices of every rule that matches `text`, ascending, written to `hits`
  // (cleared first).
  void match(std::string_view text, std::vector<int>* hits) const;

  // Rule `index` compiled alone: what match() must agree with (the tests
  // and fuzzers check that it does).
  const RE2& rule(int index) const { return filtered_.GetRE2(index); }

 private:
  re2::FilteredRE2 filtered_;
  std::unique_ptr<LiteralScanner> scanner_;
  std::size_t atom_count_ = 0;
};

// True when `text` (UTF-8) holds a character outside ASCII that may differ
// from its case-folded form, or be another character's: the scanner's ASCII
// folding cannot stand in for RE2's there. CJK, kana, Hangul, digits,
// punctuation, symbols and emoji are caseless.
bool has_cased_letter_beyond_ascii(std::string_view text);

}  // namespace xiaoer::nlu
