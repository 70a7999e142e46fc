// HumanQueue: the open tickets, in the order agents should take them
// (higher priority first, then oldest first).
//
// An in-memory structure with no I/O and no locking of its own: the chat
// service that owns it serialises access, journals every change before it is
// acknowledged, and rebuilds it at start-up by replaying the same changes.
// Every mutator is deterministic, so replay yields the same queue.
//
// Thread safety: none; the owner locks.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/queue/ticket.hpp"

namespace xiaoer::queue {

class HumanQueue {
 public:
  explicit HumanQueue(std::size_t max_transcript = 50) : max_transcript_(max_transcript) {}

  // Opens ticket `id` for `chat`. The chat must have no open ticket.
  const Ticket& open(std::string id, std::string chat, std::string reason, int priority, std::int64_t now_ms,
                     std::vector<TranscriptLine> transcript);

  // Puts back a ticket exactly as it was (a compacted journal's record).
  void restore(Ticket ticket);

  // Adds a line to the ticket's transcript (the oldest lines drop beyond the cap).
  void add_line(const std::string& ticket_id, TranscriptLine line);

  // Removes the latest line equal to `line` (undoing add_line).
  void remove_line(const std::string& ticket_id, const TranscriptLine& line);

  // Agent operations; each returns false when the ticket does not exist or
  // is not in a state that allows it (claim of a claimed ticket, release or
  // send by another agent than the claimer).
  bool claim(const std::string& ticket_id, const std::string& agent);
  bool release(const std::string& ticket_id, const std::string& agent);
  bool record_agent_reply(const std::string& ticket_id, const std::string& agent, std::string text,
                          std::int64_t now_ms);
  // Removes the ticket: the chat goes back to the bot.
  std::optional<Ticket> resolve(const std::string& ticket_id);

  void mark_notice_sent(const std::string& ticket_id);

  const Ticket* find(std::string_view ticket_id) const;
  const Ticket* find_by_chat(std::string_view chat) const;

  // 1-based place in the waiting line, 0 if claimed or unknown.
  int position(std::string_view ticket_id) const;

  // Every open ticket: waiting ones in line order, then claimed ones.
  std::vector<const Ticket*> ordered() const;

  // Tickets with no agent reply `wait_ms` after opening and no notice yet,
  // by number. Costs what it returns, not the tickets open (it runs every
  // second, under the owner's lock).
  std::vector<const Ticket*> due_notices(std::int64_t now_ms, std::int64_t wait_ms) const;

  std::size_t waiting() const { return line_.size(); }
  std::size_t size() const { return tickets_.size(); }
  // Opening time of the oldest waiting ticket, or nullopt.
  std::optional<std::int64_t> oldest_waiting_ms() const;

  // The next ticket number (ids are "T-<number>").
  std::uint64_t next_number() const { return next_number_; }

 private:
  // Line order: priority descending, then number ascending.
  using LineKey = std::pair<int, std::uint64_t>;  // (-priority, number)

  void enter_line(int priority, std::uint64_t number, const std::string& id);
  void leave_line(int priority, std::uint64_t number);
  // Drops `ticket` from notice_pending_ once it is no longer owed a notice.
  void settle_notice(const Ticket& ticket);

  std::size_t max_transcript_;
  std::uint64_t next_number_ = 1;
  std::unordered_map<std::string, Ticket> tickets_;          // by id
  std::unordered_map<std::string, std::string> by_chat_;     // chat → id
  std::map<LineKey, std::string> line_;                      // waiting tickets
  std::map<int, std::size_t> waiting_by_priority_;           // priority → waiting tickets
  // Tickets with no notice sent and no agent reply yet, by opening time.
  std::set<std::pair<std::int64_t, std::string>> notice_pending_;  // (opened_ms, id)
};

}  // namespace xiaoer::queue
