// classify(): what a buyer's message asks for.
//
// A pure function of an immutable IntentSet, the normalised text and the
// chat's Context: no I/O, no locks, no globals. Ties are broken by explicit
// priority and then load order, never by RE2's (unordered) match output.
#pragma once

#include <string_view>
#include <vector>

#include "daemon/nlu/context.hpp"
#include "daemon/nlu/intent_set.hpp"
#include "daemon/nlu/slots.hpp"

namespace xiaoer::nlu {

// The most topics answered in one reply.
inline constexpr int kMaxTopics = 2;

struct IntentScore {
  int intent = 0;
  int score = 0;
  bool excluded = false;  // an exclusion of this intent matched
};

struct Classification {
  std::vector<int> fired_rules;     // indices into IntentSet::rules(), ascending
  std::vector<IntentScore> scores;  // every intent with a fired rule, best first
  std::vector<int> chosen;          // at most kMaxTopics intents, distinct topics, by priority
  SlotMap slots;                    // of the chosen intents, over the context's (earlier messages)
  bool from_context = false;        // chosen[0] continues the intent the last turn asked about
  int upset_score = 0;              // sum of the mood file's `upset` rules that matched
  bool upset = false;               // upset_score reached the mood threshold

  // How sure the first choice is, from 0 to 1: its score against its
  // threshold (at the threshold 0.5, at twice the threshold or more 1).
  double confidence = 0;
};

Classification classify(const IntentSet& set, std::string_view normalized, const Context& context);

}  // namespace xiaoer::nlu
