#include "daemon/queue/human_queue.hpp"

#include <algorithm>
#include <charconv>

namespace xiaoer::queue {
namespace {

// The number in "T-<number>", or 0.
std::uint64_t number_of(std::string_view id) {
  std::uint64_t n = 0;
  if (id.size() > 2 && id.substr(0, 2) == "T-") std::from_chars(id.data() + 2, id.data() + id.size(), n);
  return n;
}

}  // namespace

const Ticket& HumanQueue::open(std::string id, std::string chat, std::string reason, int priority,
                               std::int64_t now_ms, std::vector<TranscriptLine> transcript) {
  Ticket ticket;
  ticket.number = number_of(id);
  if (ticket.number == 0) ticket.number = next_number_;
  next_number_ = std::max(next_number_, ticket.number + 1);
  ticket.id = std::move(id);
  ticket.chat = std::move(chat);
  ticket.reason = std::move(reason);
  ticket.priority = priority;
  ticket.opened_ms = now_ms;
  ticket.transcript = std::move(transcript);
  if (ticket.transcript.size() > max_transcript_) {
    ticket.transcript.erase(ticket.transcript.begin(),
                            ticket.transcript.end() - static_cast<std::ptrdiff_t>(max_transcript_));
  }
  by_chat_[ticket.chat] = ticket.id;
  enter_line(ticket.priority, ticket.number, ticket.id);
  notice_pending_.emplace(ticket.opened_ms, ticket.id);
  const std::string key = ticket.id;
  return tickets_[key] = std::move(ticket);
}

void HumanQueue::enter_line(int priority, std::uint64_t number, const std::string& id) {
  line_[{-priority, number}] = id;
  ++waiting_by_priority_[priority];
}

void HumanQueue::leave_line(int priority, std::uint64_t number) {
  if (line_.erase({-priority, number}) > 0 && --waiting_by_priority_[priority] == 0) {
    waiting_by_priority_.erase(priority);
  }
}

void HumanQueue::restore(Ticket ticket) {
  const TicketState state = ticket.state;
  const std::string agent = ticket.agent;
  const bool notice_sent = ticket.notice_sent;
  const std::int64_t last_reply = ticket.last_agent_reply_ms;
  const std::string id = ticket.id;
  open(ticket.id, std::move(ticket.chat), std::move(ticket.reason), ticket.priority, ticket.opened_ms,
       std::move(ticket.transcript));
  if (state == TicketState::kClaimed) claim(id, agent);
  Ticket& restored = tickets_.at(id);
  restored.notice_sent = notice_sent;
  restored.last_agent_reply_ms = last_reply;
  settle_notice(restored);
}

void HumanQueue::settle_notice(const Ticket& ticket) {
  if (ticket.notice_sent || ticket.last_agent_reply_ms != 0) notice_pending_.erase({ticket.opened_ms, ticket.id});
}

void HumanQueue::add_line(const std::string& ticket_id, TranscriptLine line) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) return;
  auto& transcript = it->second.transcript;
  transcript.push_back(std::move(line));
  if (transcript.size() > max_transcript_) transcript.erase(transcript.begin());
}

void HumanQueue::remove_line(const std::string& ticket_id, const TranscriptLine& line) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) return;
  auto& transcript = it->second.transcript;
  const auto found = std::find(transcript.rbegin(), transcript.rend(), line);
  if (found != transcript.rend()) transcript.erase(std::next(found).base());
}

bool HumanQueue::claim(const std::string& ticket_id, const std::string& agent) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end() || it->second.state != TicketState::kWaiting || agent.empty()) return false;
  leave_line(it->second.priority, it->second.number);
  it->second.state = TicketState::kClaimed;
  it->second.agent = agent;
  return true;
}

bool HumanQueue::release(const std::string& ticket_id, const std::string& agent) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end() || it->second.state != TicketState::kClaimed || it->second.agent != agent) return false;
  it->second.state = TicketState::kWaiting;
  it->second.agent.clear();
  enter_line(it->second.priority, it->second.number, ticket_id);
  return true;
}

bool HumanQueue::record_agent_reply(const std::string& ticket_id, const std::string& agent, std::string text,
                                    std::int64_t now_ms) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end() || it->second.state != TicketState::kClaimed || it->second.agent != agent) return false;
  it->second.last_agent_reply_ms = now_ms;
  settle_notice(it->second);
  add_line(ticket_id, {"agent", std::move(text), now_ms});
  return true;
}

std::optional<Ticket> HumanQueue::resolve(const std::string& ticket_id) {
  const auto it = tickets_.find(ticket_id);
  if (it == tickets_.end()) return std::nullopt;
  Ticket ticket = std::move(it->second);
  tickets_.erase(it);
  notice_pending_.erase({ticket.opened_ms, ticket.id});
  by_chat_.erase(ticket.chat);
  if (ticket.state == TicketState::kWaiting) leave_line(ticket.priority, ticket.number);
  return ticket;
}

void HumanQueue::mark_notice_sent(const std::string& ticket_id) {
  if (const auto it = tickets_.find(ticket_id); it != tickets_.end()) {
    it->second.notice_sent = true;
    settle_notice(it->second);
  }
}

const Ticket* HumanQueue::find(std::string_view ticket_id) const {
  const auto it = tickets_.find(std::string(ticket_id));
  return it == tickets_.end() ? nullptr : &it->second;
}

const Ticket* HumanQueue::find_by_chat(std::string_view chat) const {
  const auto it = by_chat_.find(std::string(chat));
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
  return static_cast<int>(std::distance(line_.begin(), it)) + 1;
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
  for (const auto& [opened_ms, id] : notice_pending_) {
    if (now_ms - opened_ms < wait_ms) break;
    out.push_back(find(id));
  }
  std::sort(out.begin(), out.end(), [](const Ticket* a, const Ticket* b) { return a->number < b->number; });
  return out;
}

std::optional<std::int64_t> HumanQueue::oldest_waiting_ms() const {
  std::optional<std::int64_t> oldest;
  for (const auto& [key, id] : line_) {
    const Ticket* t = find(id);
    if (!oldest || t->opened_ms < *oldest) oldest = t->opened_ms;
  }
  return oldest;
}

}  // namespace xiaoer::queue
