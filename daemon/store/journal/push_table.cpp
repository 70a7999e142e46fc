#include "daemon/store/journal/push_table.hpp"

#include <algorithm>
#include <charconv>

namespace xiaoer::store {
namespace {

constexpr std::string_view kPrefix = "P-";

}  // namespace

std::string PushTable::issue() {
  std::lock_guard lock(mutex_);
  return std::string(kPrefix) + std::to_string(++issued_);
}

void PushTable::note_issued(std::uint64_t number) {
  std::lock_guard lock(mutex_);
  issued_ = std::max(issued_, number);
}

std::uint64_t PushTable::issued() const {
  std::lock_guard lock(mutex_);
  return issued_;
}

void PushTable::add(UnackedPush push) {
  const std::uint64_t number = number_of(push.push_id);
  std::lock_guard lock(mutex_);
  issued_ = std::max(issued_, number);
  pushes_.insert_or_assign(number, std::move(push));
}

std::size_t PushTable::remove(const std::vector<std::string>& push_ids) {
  std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  for (const std::string& id : push_ids) {
    const std::uint64_t number = number_of(id);
    if (number != 0) removed += pushes_.erase(number);
  }
  return removed;
}

std::vector<std::string> PushTable::expire(std::int64_t before_ms) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> expired;
  // In commit order, so oldest first: the scan ends at the first one kept.
  for (auto it = pushes_.begin(); it != pushes_.end() && it->second.created_ms < before_ms;) {
    expired.push_back(std::move(it->second.push_id));
    it = pushes_.erase(it);
  }
  return expired;
}

std::vector<UnackedPush> PushTable::all() const {
  std::lock_guard lock(mutex_);
  std::vector<UnackedPush> out;
  out.reserve(pushes_.size());
  for (const auto& [number, push] : pushes_) out.push_back(push);
  return out;
}

std::size_t PushTable::size() const {
  std::lock_guard lock(mutex_);
  return pushes_.size();
}

std::uint64_t PushTable::number_of(std::string_view push_id) {
  if (push_id.substr(0, kPrefix.size()) != kPrefix) return 0;
  const std::string_view digits = push_id.substr(kPrefix.size());
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  return ec == std::errc() && end == digits.data() + digits.size() ? number : 0;
}

}  // namespace xiaoer::store
