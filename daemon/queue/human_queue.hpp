// HumanQueue: the open tickets, in the order agents should take them
// (higher priority first, then oldest first).
//
// An in-memory structure with no I/O and no locking of its own: the store
// that owns it serialises access and changes it only with what is durable
// (a committed effect, or a journal record at replay). Every mutator is
// deterministic, so replay yields the same queue.
//
// Thread safety: none; the owner locks.
#pragma once

#include <cstdint>
#include <functional>
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
  // Puts `ticket` in, new or in place of the open ticket with its id; it
  // waits in line or not as its state says, and its transcript keeps the
  // last kMaxTranscript lines. Its chat must have no other open ticket.
  void put(Ticket ticket);

  // The rules of ticket.hpp applied to open ticket `ticket_id` (replay);
  // false when there is none or the rule refuses.
  bool add_line(const std::string& ticket_id, TranscriptLine line);
  bool claim(const std::string& ticket_id, const std::string& agent);
  bool release(const std::string& ticket_id, const std::string& agent);
  bool record_agent_reply(const std::string& ticket_id, const std::string& agent, std::string text,
                          std::int64_t now_ms);
  bool mark_notice_sent(const std::string& ticket_id);

  // Removes the ticket: the chat goes back to the bot.
  std::optional<Ticket> resolve(const std::string& ticket_id);

  const Ticket* find(std::string_view ticket_id) const;
  const Ticket* find_by_chat(std::string_view chat) const;

  // 1-based place in the waiting line, 0 if claimed or unknown.
  int position(std::string_view ticket_id) const;
  // The place a ticket of this priority and number has or would have in
  // line (a walk of the line ahead of it).
  int place_in_line(int priority, std::uint64_t number) const;

  // Every open ticket: waiting ones in line order, then claimed ones.
  std::vector<const Ticket*> ordered() const;

  // Tickets with no agent reply `wait_ms` after opening and no notice yet,
  // by number. Costs what it returns, not the tickets open (it runs every
  // second, under the owner's lock).
  std::vector<const Ticket*> due_notices(std::int64_t now_ms, std::int64_t wait_ms) const;

  std::size_t waiting() const { return line_.size(); }
  std::size_t size() const { return tickets_.size(); }
  // Waiting tickets by priority: where a new ticket would stand in line.
  const std::map<int, std::size_t>& waiting_by_priority() const { return waiting_by_priority_; }
  // Claimed tickets by agent (none: absent), kept as tickets change.
  const std::map<std::string, int>& held_by_agent() const { return held_by_agent_; }
  // Opening time of the oldest waiting ticket, or nullopt.
  std::optional<std::int64_t> oldest_waiting_ms() const;

  // The number the next ticket gets; reserve() takes it (a ticket is being
  // opened), and false when `number` is no longer the next one.
  std::uint64_t next_number() const { return next_number_; }
  bool reserve(std::uint64_t number);

 private:
  // Line order: priority descending, then number ascending.
  using LineKey = std::pair<int, std::uint64_t>;  // (-priority, number)

  // Applies `rule` to the ticket and puts it back (its line place follows).
  template <typename Rule>
  bool change(const std::string& ticket_id, Rule&& rule);
  void enter_line(const Ticket& ticket);
  void leave_line(const Ticket& ticket);
  void count_held(const Ticket& ticket, int delta);

  std::uint64_t next_number_ = 1;
  // Looked up by string_view without a temporary string (every load).
  struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using ById = std::unordered_map<std::string, T, IdHash, std::equal_to<>>;

  ById<Ticket> tickets_;           // by id
  ById<std::string> by_chat_;      // chat → id
  std::map<LineKey, std::string> line_;                      // waiting tickets
  // The same by opening time: the oldest costs a look, not a walk of the line.
  std::set<std::pair<std::int64_t, std::uint64_t>> waiting_since_;  // (opened_ms, number)
  std::map<int, std::size_t> waiting_by_priority_;           // priority → waiting tickets
  std::map<std::string, int> held_by_agent_;                 // agent → claimed tickets
  // Tickets still owed the courtesy notice (none sent, no agent reply), by
  // opening time: due_notices() costs what it returns, not a scan of every
  // ticket under the owner's lock.
  std::map<std::pair<std::int64_t, std::uint64_t>, std::string> notice_pending_;  // (opened_ms, number) → id
};

}  // namespace xiaoer::queue
