#include "daemon/nlu/intent_set.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <optional>

#include "daemon/nlu/lexicon.hpp"

namespace xiaoer::nlu {
namespace {

// A rule whose RE2 program is larger than this is worth a second look.
constexpr int kCostlyProgramSize = 400;

// Gaps such as `.*`, `.+` or `.{0,8}` multiply the states of the rule's DFA
// (every position inside the gap is a state of its own).
bool has_wide_gap(std::string_view pattern) {
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '.') continue;
    const char next = pattern[i + 1];
    if (next == '*' || next == '+') return true;
    if (next == '{') {
      const std::size_t comma = pattern.find(',', i + 2);
      const std::size_t close = pattern.find('}', i + 2);
      if (close == std::string_view::npos) continue;
      if (comma == std::string_view::npos || comma > close) continue;
      const std::string_view upper = pattern.substr(comma + 1, close - comma - 1);
      if (upper.empty()) return true;  // .{n,}
      int limit = 0;
      for (char c : upper) limit = limit * 10 + (c - '0');
      if (limit > 4) return true;
    }
  }
  return false;
}

}  // namespace

RE2::Options rule_options(std::int64_t max_mem) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(max_mem);
  return options;
}

IntentSet::IntentSet(IntentCatalog& catalog, const Options& options)
    : intents_(std::move(catalog.intents)),
      mood_(std::move(catalog.mood)),
      fallback_(std::move(catalog.fallback)),
      max_mem_(options.max_mem) {}

void IntentSet::add_rule(const Rule& rule, int intent, LexiconTable& lexicons, common::Diagnostics& diagnostics) {
  std::string regex;
  if (!lexicons.expand(rule.text, rule.kind == RuleKind::kKeyword, rule.where, rule.text_column, &regex)) return;
  const bool added = matcher_.add(regex, rule_options(max_mem_));
  // The rule as the matcher runs it; when the matcher refused it, compiled
  // again under RE2's default budget only to tell why.
  std::optional<RE2> refused;
  const RE2& compiled = added ? matcher_.rule(matcher_.size() - 1) : refused.emplace(regex, rule_options(8 << 20));
  if (!compiled.ok()) {
    diagnostics.push_back(
        {rule.where, "bad " + std::string(to_string(rule.kind)) + " '" + rule.text + "': " + compiled.error()});
    return;
  }
  program_size_ += compiled.ProgramSize();
  if (rule.kind != RuleKind::kKeyword && has_wide_gap(rule.text)) {
    diagnostics.push_back({rule.where,
                           "costly pattern '" + rule.text +
                               "': wide gaps (.*, .+, .{0,N} with N > 4) multiply the "
                               "states of its DFA",
                           common::Severity::kWarning});
  } else if (compiled.ProgramSize() > kCostlyProgramSize && find_lexicon_references(rule.text).empty()) {
    // (A lexicon's alternation of literals is long but cheap for the DFA.)
    diagnostics.push_back({rule.where,
                           "costly pattern '" + rule.text + "': program size " + std::to_string(compiled.ProgramSize()),
                           common::Severity::kWarning});
  }
  if (!added) {
    diagnostics.push_back({rule.where, "bad " + std::string(to_string(rule.kind)) + " '" + rule.text +
                                           "': RE2 could not compile it within max_mem " +
                                           std::to_string(max_mem_) + " bytes"});
    return;
  }
  rules_.push_back({intent, rule.kind, rule.weight, &rule});
}

IntentSet::BuildResult IntentSet::build(IntentCatalog catalog, const Options& options) {
  BuildResult result;
  std::shared_ptr<IntentSet> set(new IntentSet(catalog, options));
  LexiconTable lexicons(catalog.lexicons, result.diagnostics);
  const RE2::Options single = rule_options(8 << 20);
  for (const Rule& rule : set->mood_.upset) set->add_rule(rule, kMoodRule, lexicons, result.diagnostics);
  std::string regex;
  for (int i = 0; i < static_cast<int>(set->intents_.size()); ++i) {
    const Intent& intent = set->intents_[i];
    for (const Rule& rule : intent.rules) set->add_rule(rule, i, lexicons, result.diagnostics);
    std::vector<CompiledSlot> slots;
    for (const SlotSpec& spec : intent.slots) {
      CompiledSlot slot{&spec, nullptr};
      if (spec.kind == SlotKind::kPattern) {
        if (!lexicons.expand(spec.pattern, /*literal=*/false, spec.where, spec.text_column, &regex)) continue;
        slot.pattern = std::make_unique<RE2>(regex, single);
        if (!slot.pattern->ok()) {
          result.diagnostics.push_back(
              {spec.where, "bad slot pattern '" + spec.pattern + "': " + slot.pattern->error()});
          continue;
        }
      }
      slots.push_back(std::move(slot));
    }
    set->slots_.push_back(std::move(slots));
  }
  lexicons.report_unused();
  if (common::has_errors(result.diagnostics)) return result;
  if (std::none_of(set->rules_.begin(), set->rules_.end(), [](const CompiledRule& r) { return r.intent != kMoodRule; })) {
    result.diagnostics.push_back({{}, "the intent set has no rules"});
    return result;
  }
  set->matcher_.compile();
  result.set = std::move(set);
  return result;
}

Body IntentSet::known_body(int intent, const SlotMap& known) const {
  Body body;
  for (const CompiledSlot& slot : slots_[intent]) {
    const SlotKind kind = slot.spec->kind;
    if (kind != SlotKind::kHeight && kind != SlotKind::kWeight) continue;
    if (known.find(slot.spec->name) == nullptr) continue;
    (kind == SlotKind::kHeight ? body.height_cm : body.weight_kg) = 0;  // known; the value does not matter
  }
  return body;
}

int IntentSet::find(std::string_view name) const {
  for (int i = 0; i < static_cast<int>(intents_.size()); ++i) {
    if (intents_[i].name == name) return i;
  }
  return -1;
}

void IntentSet::match(std::string_view normalized, std::vector<int>* hits) const {
  if (memo_.find(normalized, hits)) return;
  matcher_.match(normalized, hits);
  memo_.remember(normalized, *hits);
}

SlotMap IntentSet::extract_slots(int intent, std::string_view normalized, bool bare_numbers,
                                 const SlotMap& known) const {
  SlotMap slots;
  std::optional<Body> body;  // computed once, for height and weight alike
  for (const CompiledSlot& slot : slots_[intent]) {
    const SlotSpec& spec = *slot.spec;
    switch (spec.kind) {
      case SlotKind::kPattern: {
        std::string value;
        const bool found = slot.pattern->NumberOfCapturingGroups() > 0
                               ? RE2::PartialMatch(normalized, *slot.pattern, &value)
                               : RE2::PartialMatch(normalized, *slot.pattern);
        if (found) {
          if (slot.pattern->NumberOfCapturingGroups() == 0) {
            re2::StringPiece whole;
            slot.pattern->Match(normalized, 0, normalized.size(), RE2::UNANCHORED, &whole, 1);
            value = std::string(whole);
          }
          if (!value.empty()) slots.set(spec.name, std::move(value));
        }
        break;
      }
      case SlotKind::kHeight:
      case SlotKind::kWeight: {
        if (!body) body = extract_body(normalized, bare_numbers, known_body(intent, known));
        const std::optional<int>& v = spec.kind == SlotKind::kHeight ? body->height_cm : body->weight_kg;
        if (v) slots.set(spec.name, std::to_string(*v));
        break;
      }
      case SlotKind::kOrderNo:
        if (auto order = extract_order_no(normalized)) slots.set(spec.name, std::move(*order));
        break;
    }
  }
  return slots;
}

}  // namespace xiaoer::nlu
