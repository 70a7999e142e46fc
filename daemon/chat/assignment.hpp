// Who gets a ticket without an agent asking, decided: auto-assignment of a
// new ticket, and an absent agent's unanswered tickets put back in line.
//
// Thread safety: pure functions; call from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/chat/effect.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::chat {

// An agent auto-assignment may give a ticket: online (connected, not away).
struct Candidate {
  std::string agent;
  int capacity = 0;  // the most chats it holds (> 0)
  // When it was last given a ticket (0: not since the daemon started): the
  // longest idle goes first among equals.
  std::int64_t idle_since_ms = 0;
};

// The candidate with the most free capacity (capacity minus `held`), ties
// to the longest idle, then by name; nullopt when none has room.
std::optional<Candidate> choose_agent(const std::vector<Candidate>& candidates,
                                      const std::map<std::string, int>& held);

// Waiting ticket `ticket` (the snapshot's, Store::load_ticket) claimed for
// the candidate choose_agent() picks from snapshot.held_by_agent, within its
// capacity (checked again as it is committed). No change when the ticket
// is no longer waiting or nobody has room.
Effect decide_assign(const Snapshot& snapshot, const std::string& ticket, const std::vector<Candidate>& candidates,
                     std::int64_t now_ms);

// Whether `agent` wrote any agent line of the ticket.
bool answered_by(const queue::Ticket& ticket, const std::string& agent);

// An agent away past the grace period: ticket `ticket`, still held by
// `agent` and not answered by it, goes back in line (a release); any other
// ticket is left as it is (no change).
Effect decide_lapse(const Snapshot& snapshot, const std::string& ticket, const std::string& agent,
                    std::int64_t now_ms);

}  // namespace xiaoer::chat
