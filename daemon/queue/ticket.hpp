// Ticket: one chat handed to humans, from the handoff until an agent
// resolves it. Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xiaoer::queue {

enum class TicketState { kWaiting, kClaimed };

struct TranscriptLine {
  std::string from;  // "buyer", "bot", "agent", "notice"
  std::string text;
  std::int64_t ts_ms = 0;

  bool operator==(const TranscriptLine&) const = default;
};

struct Ticket {
  std::string id;      // "T-42"
  std::string chat;
  std::string reason;  // asked_for_human | complaint | unresolved | intent
  int priority = 0;    // higher first (complaints 1, others 0)
  std::int64_t opened_ms = 0;
  std::uint64_t number = 0;  // order of opening: the oldest-first tie-break
  TicketState state = TicketState::kWaiting;
  std::string agent;  // who claimed it
  std::vector<TranscriptLine> transcript;
  bool notice_sent = false;              // the courtesy notice went out
  std::int64_t last_agent_reply_ms = 0;  // 0: no agent has answered yet
};

}  // namespace xiaoer::queue
