#include "daemon/store/redis/ticket_number_offers.hpp"

#include <algorithm>

namespace xiaoer::store::redis {

std::uint64_t TicketNumberOffers::offer(const std::string& chat, std::uint64_t first_free) {
  std::lock_guard lock(mutex_);
  if (const auto it = by_chat_.find(chat); it != by_chat_.end()) {
    offered_.erase(offered_.find(it->second));
    by_chat_.erase(it);
  }
  const std::uint64_t number = offered_.empty() ? first_free : std::max(first_free, *offered_.rbegin() + 1);
  by_chat_.emplace(chat, number);
  offered_.insert(number);
  return number;
}

void TicketNumberOffers::release(const std::string& chat) {
  std::lock_guard lock(mutex_);
  const auto it = by_chat_.find(chat);
  if (it == by_chat_.end()) return;
  offered_.erase(offered_.find(it->second));
  by_chat_.erase(it);
}

std::size_t TicketNumberOffers::outstanding() const {
  std::lock_guard lock(mutex_);
  return offered_.size();
}

}  // namespace xiaoer::store::redis
