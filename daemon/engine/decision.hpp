// What the bot decided for one message, in the words the tuning tools use
// (the traffic sample, `gaps`, `diff`, a reload's summary).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "daemon/engine/engine.hpp"

namespace xiaoer::engine {

enum class Decision {
  kReply,     // an intent answered
  kAsk,       // an intent asked for a detail it needs (a clarifying question)
  kFallback,  // nothing recognised; the fallback reply
  kHandoff,   // a human takes over (Outcome::reason says why)
};

Decision decision_of(const Outcome& outcome);

// "reply", "ask", "fallback", or "handoff:<reason>" ("handoff:unresolved").
std::string decision_name(const Outcome& outcome);

// Whether the bot settled the message: not a fallback, not a clarifying
// question, not a handoff because nothing was recognised. These are what the
// traffic sample keeps and what a lead reads to find the intents' gaps.
bool settled(const Outcome& outcome);

// One line's outcome as `diff` names it: the chosen intents ("none" if
// none) and, unless it is a plain reply, the decision:
// "shipping.eta", "none (fallback)", "size.advice (ask)",
// "none (handoff:unresolved)".
std::string outcome_label(const Outcome& outcome);

}  // namespace xiaoer::engine
