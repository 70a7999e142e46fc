#include "daemon/engine/decision.hpp"

namespace xiaoer::engine {

Decision decision_of(const Outcome& outcome) {
  if (outcome.kind == Outcome::Kind::kHandoff) return Decision::kHandoff;
  if (outcome.intents.empty()) return Decision::kFallback;
  // An intent missing a required slot asks for it and awaits the answer.
  if (!outcome.next.awaiting.empty()) return Decision::kAsk;
  return Decision::kReply;
}

std::string decision_name(const Outcome& outcome) {
  switch (decision_of(outcome)) {
    case Decision::kReply:
      return "reply";
    case Decision::kAsk:
      return "ask";
    case Decision::kFallback:
      return "fallback";
    case Decision::kHandoff:
      return "handoff:" + std::string(nlu::to_string(outcome.reason));
  }
  return "reply";
}

bool settled(const Outcome& outcome) {
  switch (decision_of(outcome)) {
    case Decision::kReply:
      return true;
    case Decision::kAsk:
    case Decision::kFallback:
      return false;
    case Decision::kHandoff:
      return outcome.reason != nlu::HandoffReason::kUnresolved;
  }
  return true;
}

std::string outcome_label(const Outcome& outcome) {
  std::string label;
  for (const std::string& intent : outcome.intents) label += (label.empty() ? "" : "+") + intent;
  if (label.empty()) label = "none";
  if (decision_of(outcome) != Decision::kReply) label += " (" + decision_name(outcome) + ")";
  return label;
}

}  // namespace xiaoer::engine
