// AnswerDiff: what a change of intents (or shop facts) changes in the
// answers to given messages, for `xiaoerd diff` and a reload's summary.
//
// Each message is answered by both engines as the first message of a fresh
// chat (so reply rotation is the same on both sides, and a changed reply is
// a real change). A message changes when its outcome label
// (engine::outcome_label: intents and decision) or its reply text differs.
// Changes are grouped by transition, "none (fallback) → shipping.eta", or
// "shipping.eta: reply text changed" when only the text moved; the
// transitions are ordered by count, biggest first.
//
// Thread safety: pure functions (the engines are immutable).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/engine/engine.hpp"
#include "daemon/tools/traffic_file.hpp"

namespace xiaoer::tools {

struct ChangedAnswer {
  std::string text;  // the buyer's
  std::string before_reply, after_reply;
};

struct Transition {
  std::string name;   // "A → B" or "A: reply text changed"
  std::string before, after;  // the labels
  std::size_t count = 0;
  std::vector<ChangedAnswer> examples;  // the first few, in input order
};

struct AnswerDiff {
  std::size_t messages = 0;
  std::size_t changed = 0;
  std::vector<Transition> transitions;  // biggest first

  double changed_share() const { return messages == 0 ? 0.0 : static_cast<double>(changed) / messages; }
};

// `channel` answers the entries that do not name theirs. Keeps up to
// `examples` examples a transition.
AnswerDiff diff_answers(const engine::Engine& before, const engine::Engine& after,
                        const std::vector<TrafficEntry>& messages, const std::string& channel,
                        std::size_t examples);

// "N messages, M changed (P %)" then each transition and its examples.
void print_answer_diff(const AnswerDiff& diff, std::ostream& out);

// The same as one JSON object (`--json`).
std::string answer_diff_json(const AnswerDiff& diff);

}  // namespace xiaoer::tools
