#include "daemon/traffic/recent_messages.hpp"

namespace xiaoer::traffic {

void RecentMessages::add(RecentMessage message) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (ring_.size() < capacity_) {
    ring_.push_back(std::move(message));
    return;
  }
  ring_[next_] = std::move(message);
  next_ = (next_ + 1) % capacity_;
}

std::vector<RecentMessage> RecentMessages::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<RecentMessage> out;
  out.reserve(ring_.size());
  for (std::size_t i = 0; i < ring_.size(); ++i) out.push_back(ring_[(next_ + i) % ring_.size()]);
  return out;
}

}  // namespace xiaoer::traffic
