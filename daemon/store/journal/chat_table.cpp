#include "daemon/store/journal/chat_table.hpp"

#include <functional>

namespace xiaoer::store {

ChatTable::Shard& ChatTable::shard_for(std::string_view chat) {
  return shards_[std::hash<std::string_view>{}(chat) % kShards];
}

std::size_t ChatTable::size() {
  std::size_t total = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.chats.size();
  }
  return total;
}

std::size_t ChatTable::expire(std::int64_t now_ms, std::int64_t idle_ms) {
  std::size_t removed = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (auto it = shard.chats.begin(); it != shard.chats.end();) {
      const ChatEntry& entry = it->second;
      if (!entry.busy() && entry.waiters.empty() && now_ms - entry.state.last_seen_ms >= idle_ms) {
        it = shard.chats.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  return removed;
}

}  // namespace xiaoer::store
