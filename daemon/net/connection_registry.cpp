#include "daemon/net/connection_registry.hpp"

namespace xiaoer::net {

bool ConnectionRegistry::begin_upgrade(std::size_t limit) {
  std::lock_guard lock(mutex_);
  if (connections_.size() + upgrading_ >= limit) return false;
  ++upgrading_;
  return true;
}

void ConnectionRegistry::abandon_upgrade() {
  std::lock_guard lock(mutex_);
  if (upgrading_ > 0) --upgrading_;
}

void ConnectionRegistry::add(const std::shared_ptr<Connection>& connection, bool upgraded) {
  std::lock_guard lock(mutex_);
  connections_[connection->id()] = connection;
  if (upgraded && upgrading_ > 0) --upgrading_;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void ConnectionRegistry::close_all() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  for (const auto& c : open) c->close();
}

}  // namespace xiaoer::net
