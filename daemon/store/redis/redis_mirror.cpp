#include "daemon/store/redis/redis_mirror.hpp"

#include <utility>

namespace xiaoer::store::redis {

void RedisMirror::replace(std::vector<queue::Ticket> open, std::vector<UnackedPush> pushes) {
  queue::HumanQueue fresh;
  for (queue::Ticket& ticket : open) fresh.put(std::move(ticket));
  {
    std::lock_guard lock(mutex_);
    queue_ = std::move(fresh);
  }
  std::vector<std::string> held;
  for (const UnackedPush& push : pushes_.all()) held.push_back(push.push_id);
  pushes_.remove(held);
  for (UnackedPush& push : pushes) pushes_.add(std::move(push));
}

void RedisMirror::replace_history(std::vector<queue::ResolvedTicket> oldest_first) {
  queue::ResolvedHistory fresh;
  for (queue::ResolvedTicket& done : oldest_first) fresh.add(std::move(done.ticket), done.resolved_ms);
  std::lock_guard lock(mutex_);
  history_ = std::move(fresh);
}

void RedisMirror::replace_stock(const std::vector<catalogue::StockUpdate>& updates) {
  auto live = std::make_shared<const catalogue::LiveStock>();
  for (const catalogue::StockUpdate& update : updates) live = live->with(update);
  live_.store(std::move(live));
}

void RedisMirror::put(queue::Ticket ticket) {
  std::lock_guard lock(mutex_);
  // A ticket of this chat opened elsewhere meanwhile would break the
  // queue's one-ticket-a-chat rule: the newer wins, the reload settles it.
  if (const queue::Ticket* other = queue_.find_by_chat(ticket.chat); other != nullptr && other->id != ticket.id) {
    queue_.resolve(std::string(other->id));
  }
  queue_.put(std::move(ticket));
}

void RedisMirror::resolve(const std::string& ticket_id, std::optional<queue::ResolvedTicket> done) {
  std::lock_guard lock(mutex_);
  queue_.resolve(ticket_id);
  if (done) history_.add(std::move(done->ticket), done->resolved_ms);
}

void RedisMirror::add_pushes(const std::vector<UnackedPush>& pushes) {
  for (const UnackedPush& push : pushes) pushes_.add(push);
}

void RedisMirror::remove_pushes(const std::vector<std::string>& push_ids) { pushes_.remove(push_ids); }

std::vector<std::string> RedisMirror::expire_pushes(std::int64_t before_ms) { return pushes_.expire(before_ms); }

void RedisMirror::apply_stock(const catalogue::StockUpdate& update) { live_.store(live_.load()->with(update)); }

std::optional<queue::Ticket> RedisMirror::ticket_of_chat(std::string_view chat) {
  std::lock_guard lock(mutex_);
  const queue::Ticket* ticket = queue_.find_by_chat(chat);
  return ticket != nullptr ? std::optional<queue::Ticket>(*ticket) : std::nullopt;
}

std::string RedisMirror::chat_of_ticket(std::string_view ticket_id) {
  std::lock_guard lock(mutex_);
  const queue::Ticket* ticket = queue_.find(ticket_id);
  return ticket != nullptr ? ticket->chat : std::string();
}

std::vector<Store::Listed> RedisMirror::tickets() {
  std::lock_guard lock(mutex_);
  std::vector<Store::Listed> out;
  int position = 0;
  for (const queue::Ticket* t : queue_.ordered()) {
    out.push_back({*t, t->state == queue::TicketState::kWaiting ? ++position : 0});
  }
  return out;
}

std::map<std::string, int> RedisMirror::held_by_agent() {
  std::lock_guard lock(mutex_);
  return queue_.held_by_agent();
}

std::vector<queue::ResolvedTicket> RedisMirror::resolved(std::string_view query, std::int64_t since_ms,
                                                         std::size_t limit) {
  std::lock_guard lock(mutex_);
  return history_.search(query, since_ms, limit);
}

std::vector<std::string> RedisMirror::chats_due_notice(std::int64_t now_ms, std::int64_t wait_ms) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const queue::Ticket* ticket : queue_.due_notices(now_ms, wait_ms)) out.push_back(ticket->chat);
  return out;
}

std::size_t RedisMirror::waiting() {
  std::lock_guard lock(mutex_);
  return queue_.waiting();
}

std::optional<std::int64_t> RedisMirror::oldest_waiting_ms() {
  std::lock_guard lock(mutex_);
  return queue_.oldest_waiting_ms();
}

}  // namespace xiaoer::store::redis
