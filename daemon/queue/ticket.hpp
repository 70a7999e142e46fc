// Ticket: one chat handed to humans, from the handoff until an agent
// resolves it. Plain data, and the rules of the agent operations as pure
// functions on it (the decisions and the journal's replay apply the same
// rules).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/queue/transcript.hpp"

namespace xiaoer::queue {

enum class TicketState { kWaiting, kClaimed };

struct Ticket {
  std::string id;      // "T-42"
  std::string chat;
  std::string reason;  // asked_for_human | complaint | unresolved | intent
  int priority = 0;    // higher first (complaints 1, others 0)
  std::int64_t opened_ms = 0;
  std::uint64_t number = 0;  // order of opening: the oldest-first tie-break
  TicketState state = TicketState::kWaiting;
  std::string agent;  // who claimed it
  Transcript transcript;  // shared lines: a copy of a ticket is cheap
  bool notice_sent = false;              // the courtesy notice went out
  std::int64_t last_agent_reply_ms = 0;  // 0: no agent has answered yet
  // From the message that handed off ("" when the gateway sent none): the
  // courtesy notice is written for the channel, agents see the buyer.
  std::string channel, buyer_nick, item_id;
  // The other keys of the gateway's `meta`, by key.
  std::vector<std::pair<std::string, std::string>> meta;
  // The buyer was upset when the chat was handed off: the courtesy notice
  // then apologises and drops its smileys, like the handoff text did.
  bool upset = false;
};

// Lines a ticket keeps (the oldest drop beyond it).
inline constexpr std::size_t kMaxTranscript = 200;

// The id of ticket number n, and the number of an id ("T-<n>"; 0 if not one).
std::string ticket_id(std::uint64_t number);
std::uint64_t ticket_number(std::string_view id);

// Each rule changes `ticket` and returns true when the operation is allowed:
// claim a waiting ticket; release or reply to one's own claimed ticket.
bool claim(Ticket& ticket, const std::string& agent);
bool release(Ticket& ticket, const std::string& agent);
bool record_agent_reply(Ticket& ticket, const std::string& agent, std::string text, std::int64_t now_ms);
void add_line(Ticket& ticket, TranscriptLine line);  // keeps the last kMaxTranscript lines

}  // namespace xiaoer::queue
