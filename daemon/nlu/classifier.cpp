#include "daemon/nlu/classifier.hpp"

#include <algorithm>

namespace xiaoer::nlu {
namespace {

bool fires(const IntentScore& s, const Intent& intent) { return !s.excluded && s.score >= intent.threshold; }

// Best first: score, then priority, then load order.
bool better(const IntentScore& a, const IntentScore& b, const std::vector<Intent>& intents) {
  if (a.score != b.score) return a.score > b.score;
  const int pa = intents[a.intent].priority, pb = intents[b.intent].priority;
  if (pa != pb) return pa > pb;
  return a.intent < b.intent;
}

// Picks at most kMaxTopics firing intents of distinct topics. Standalone
// intents (a bare greeting or 好的) count only when nothing else fires.
std::vector<int> choose(const std::vector<IntentScore>& scores, const std::vector<Intent>& intents) {
  std::vector<int> chosen;
  const bool any_regular = std::any_of(scores.begin(), scores.end(), [&](const IntentScore& s) {
    return fires(s, intents[s.intent]) && !intents[s.intent].standalone;
  });
  for (const IntentScore& s : scores) {
    const Intent& intent = intents[s.intent];
    if (!fires(s, intent) || (any_regular && intent.standalone)) continue;
    const bool topic_taken = std::any_of(chosen.begin(), chosen.end(),
                                         [&](int c) { return intents[c].topic == intent.topic; });
    if (topic_taken) continue;
    chosen.push_back(s.intent);
    if (!any_regular || static_cast<int>(chosen.size()) == kMaxTopics) break;
  }
  return chosen;
}

}  // namespace

Classification classify(const IntentSet& set, std::string_view normalized, const Context& context) {
  Classification result;
  const std::vector<Intent>& intents = set.intents();
  set.match(normalized, &result.fired_rules);

  for (int index : result.fired_rules) {
    const IntentSet::CompiledRule& rule = set.rules()[index];
    if (rule.intent == IntentSet::kMoodRule) {
      result.upset_score += rule.weight;
      continue;
    }
    auto it = std::find_if(result.scores.begin(), result.scores.end(),
                           [&](const IntentScore& s) { return s.intent == rule.intent; });
    if (it == result.scores.end()) {
      result.scores.push_back({rule.intent, 0, false});
      it = result.scores.end() - 1;
    }
    if (rule.kind == RuleKind::kExclude) {
      it->excluded = true;
    } else {
      it->score += rule.weight;
    }
  }
  for (IntentScore& s : result.scores) {
    if (s.excluded) s.score = 0;
  }
  result.upset = result.upset_score > 0 && result.upset_score >= set.mood().threshold;
  std::sort(result.scores.begin(), result.scores.end(),
            [&](const IntentScore& a, const IntentScore& b) { return better(a, b, intents); });
  result.chosen = choose(result.scores, intents);
  // Chosen by score, answered by priority: a complaint is soothed before
  // the question that came with it is answered.
  std::stable_sort(result.chosen.begin(), result.chosen.end(),
                   [&](int a, int b) { return intents[a].priority > intents[b].priority; });

  // The last turn asked for slots: this message may be just the values.
  const int awaiting = context.awaiting.empty() ? -1 : set.find(context.awaiting);
  const bool only_standalone =
      std::all_of(result.chosen.begin(), result.chosen.end(), [&](int c) { return intents[c].standalone; });
  if (awaiting >= 0 && only_standalone) {
    SlotMap found = set.extract_slots(awaiting, normalized, /*bare_numbers=*/true, context.slots);
    if (!found.empty()) {
      result.chosen = {awaiting};
      result.from_context = true;
    }
  }

  // What earlier messages of the chat said, then what this one says.
  if (!result.chosen.empty()) result.slots = context.slots;
  for (int c : result.chosen) {
    result.slots.merge(set.extract_slots(c, normalized, /*bare_numbers=*/true, context.slots));
  }

  if (!result.chosen.empty()) {
    const Intent& first = intents[result.chosen.front()];
    const auto it = std::find_if(result.scores.begin(), result.scores.end(),
                                 [&](const IntentScore& s) { return s.intent == result.chosen.front(); });
    const double score = it == result.scores.end() ? first.threshold : it->score;
    result.confidence = std::clamp(score / (2.0 * first.threshold), 0.0, 1.0);
  }
  return result;
}

}  // namespace xiaoer::nlu
