#include "daemon/nlu/intent.hpp"

namespace xiaoer::nlu {

std::string_view to_string(Action action) {
  switch (action) {
    case Action::kReply: return "reply";
    case Action::kHandoff: return "handoff";
    case Action::kReplyAndHandoff: return "reply_and_handoff";
  }
  return "reply";
}

std::string_view to_string(HandoffReason reason) {
  switch (reason) {
    case HandoffReason::kIntent: return "intent";
    case HandoffReason::kAskedForHuman: return "asked_for_human";
    case HandoffReason::kComplaint: return "complaint";
    case HandoffReason::kUnresolved: return "unresolved";
  }
  return "intent";
}

std::string_view to_string(RuleKind kind) {
  switch (kind) {
    case RuleKind::kKeyword: return "keyword";
    case RuleKind::kPattern: return "pattern";
    case RuleKind::kExclude: return "exclude";
  }
  return "pattern";
}

bool parse_action(std::string_view text, Action* out) {
  for (Action a : {Action::kReply, Action::kHandoff, Action::kReplyAndHandoff}) {
    if (text == to_string(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

bool parse_handoff_reason(std::string_view text, HandoffReason* out) {
  for (HandoffReason r : {HandoffReason::kIntent, HandoffReason::kAskedForHuman,
                          HandoffReason::kComplaint, HandoffReason::kUnresolved}) {
    if (text == to_string(r)) {
      *out = r;
      return true;
    }
  }
  return false;
}

}  // namespace xiaoer::nlu
