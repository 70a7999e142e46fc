#include "daemon/queue/human_queue.hpp"

#include <algorithm>

namespace xiaoer::queue {

void HumanQueue::put(Ticket ticket) {
  if (ticket.number == 0) ticket.number = ticket_number(ticket.id);
  if (ticket.number == 0) ticket.number = next_number_;
  next_number_ = std::max(next_number_, ticket.number + 1);
  ticket.transcript.keep_last(kMaxTranscript);
  const auto old = tickets_.find(ticket.id);
  const Ticket* before = old == tickets_.end() ? nullptr : &old->second;
  // The line, the notices owed and the claims change only with what they
  // are kept by: a line added (most puts) makes and frees none of their nodes.
  const auto waits = [](const Ticket* t) { return t != nullptr && t->state == TicketState::kWaiting; };
  if (waits(before) != waits(&ticket) ||
      (waits(before) && (before->priority != ticket.priority || before->number != ticket.number ||
                         before->opened_ms != ticket.opened_ms))) {
    if (waits(before)) leave_line(*before);
    if (waits(&ticket)) enter_line(ticket);
  }
  const auto owed = [](const Ticket* t) { return t != nullptr && !t->notice_sent && t->last_agent_reply_ms == 0; };
  if (owed(before) != owed(&ticket) ||
      (owed(before) && (before->opened_ms != ticket.opened_ms || before->number != ticket.number))) {
    if (before != nullptr) notice_pending_.erase({before->opened_ms, before->number});
    if (owed(&ticket)) notice_pending_[{ticket.opened_ms, ticket.number}] = ticket.id;
  }
  if (before == nullptr || before->state != ticket.state || before->agent != ticket.agent) {
    if (before != nullptr) count_held(*before, -1);
    count_held(ticket, +1);
  }
  if (before == nullptr || before->chat != ticket.chat) by_chat_[ticket.chat] = ticket.id;
  if (before != nullptr) {
    old->second = std::move(ticket);
  } else {
    std::string id = ticket.id;
    tickets_.emplace(std::move(id), std::move(ticket));
  }
}

bool HumanQueue::reserve(std::uint64_t number) {
  if (number != next_number_) return false;
  ++next_number_;
  return true;
}

void HumanQueue::enter_line(const Ticket& ticket) {
  line_[{-ticket.priority, ticket.number}] = ticket.id;
  waiting_since_.emplace(ticket.opened_ms, ticket.number);
  ++waiting_by_priority_[ticket.priority];
}

void HumanQueue::leave_line(const Ticket& ticket) {
  waiting_since_.erase({ticket.opened_ms, ticket.number});
  if (line_.erase({-ticket.priority, ticket.number}) > 0 && --waiting_by_priority_[ticket.priority] == 0) {
    waiting_by_priority_.erase(ticket.priority);
  }
}

void HumanQueue::count_held(const Ticket& ticket, int delta) {
  if (ticket.state != TicketState::kClaimed) return;
  if ((held_by_agent_[ticket.agent] += delta) <= 0) held_by_agent_.erase(ticket.agent);
}

template <typename Rule>
bool HumanQueue::change(const std::string& ticket_id, Rule&& rule) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) return false;
  Ticket changed = it->second;
  if (!rule(changed)) return false;
  put(std::move(changed));
  return true;
}

bool HumanQueue::add_line(const std::string& ticket_id, TranscriptLine line) {
  return change(ticket_id, [&](Ticket& t) {
    queue::add_line(t, std::move(line));
    return true;
  });
}

bool HumanQueue::claim(const std::string& ticket_id, const std::string& agent) {
  return change(ticket_id, [&](Ticket& t) { return queue::claim(t, agent); });
}

bool HumanQueue::release(const std::string& ticket_id, const std::string& agent) {
  return change(ticket_id, [&](Ticket& t) { return queue::release(t, agent); });
}

bool HumanQueue::record_agent_reply(const std::string& ticket_id, const std::string& agent, std::string text,
                                    std::int64_t now_ms) {
  return change(ticket_id, [&](Ticket& t) { return queue::record_agent_reply(t, agent, std::move(text), now_ms); });
}

bool HumanQueue::mark_notice_sent(const std::string& ticket_id) {
  return change(ticket_id, [](Ticket& t) {
    t.notice_sent = true;
    return true;
  });
}

std::optional<Ticket> HumanQueue::resolve(const std::string& ticket_id) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) return std::nullopt;
  Ticket ticket = std::move(it->second);
  tickets_.erase(it);
  // The chat's index is dropped only if it names this ticket.
  if (const auto chat = by_chat_.find(ticket.chat); chat != by_chat_.end() && chat->second == ticket_id) {
    by_chat_.erase(chat);
  }
  if (ticket.state == TicketState::kWaiting) leave_line(ticket);
  notice_pending_.erase({ticket.opened_ms, ticket.number});
  count_held(ticket, -1);
  return ticket;
}

const Ticket* HumanQueue::find(std::string_view ticket_id) const {
  const auto it = tickets_.find(ticket_id);
  return it == tickets_.end() ? nullptr : &it->second;
}

const Ticket* HumanQueue::find_by_chat(std::string_view chat) const {
  const auto it = by_chat_.find(chat);
  return it == by_chat_.end() ? nullptr : find(it->second);
}

int HumanQueue::position(std::string_view ticket_id) const {
  const Ticket* ticket = find(ticket_id);
  if (ticket == nullptr || ticket->state != TicketState::kWaiting) return 0;
  const auto it = line_.find({-ticket->priority, ticket->number});
  if (it == line_.end()) return 0;
  // The newest ticket of its priority (every new handoff) is counted in
  // O(priorities); others by walking the line.
  const auto next = std::next(it);
  if (next == line_.end() || next->first.first != it->first.first) {
    int ahead = 0;
    for (const auto& [priority, count] : waiting_by_priority_) {
      if (priority >= ticket->priority) ahead += static_cast<int>(count);
    }
    return ahead;
  }
  return place_in_line(ticket->priority, ticket->number);
}

int HumanQueue::place_in_line(int priority, std::uint64_t number) const {
  return static_cast<int>(std::distance(line_.begin(), line_.lower_bound({-priority, number}))) + 1;
}

std::vector<const Ticket*> HumanQueue::ordered() const {
  std::vector<const Ticket*> out;
  out.reserve(tickets_.size());
  for (const auto& [key, id] : line_) out.push_back(find(id));
  std::vector<const Ticket*> claimed;
  for (const auto& [id, ticket] : tickets_) {
    if (ticket.state == TicketState::kClaimed) claimed.push_back(&ticket);
  }
  std::sort(claimed.begin(), claimed.end(), [](const Ticket* a, const Ticket* b) { return a->number < b->number; });
  out.insert(out.end(), claimed.begin(), claimed.end());
  return out;
}

std::vector<const Ticket*> HumanQueue::due_notices(std::int64_t now_ms, std::int64_t wait_ms) const {
  std::vector<const Ticket*> out;
  for (const auto& [key, id] : notice_pending_) {
    if (now_ms - key.first < wait_ms) break;
    out.push_back(&tickets_.at(id));
  }
  std::sort(out.begin(), out.end(), [](const Ticket* a, const Ticket* b) { return a->number < b->number; });
  return out;
}

std::optional<std::int64_t> HumanQueue::oldest_waiting_ms() const {
  if (waiting_since_.empty()) return std::nullopt;
  return waiting_since_.begin()->first;
}

}  // namespace xiaoer::queue
