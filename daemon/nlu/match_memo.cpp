#include "daemon/nlu/match_memo.hpp"

#include <algorithm>

namespace xiaoer::nlu {

MatchMemo::MatchMemo(std::size_t capacity) : shard_capacity_(std::max<std::size_t>(1, capacity / kShards)) {}

MatchMemo::Shard& MatchMemo::shard_of(std::string_view text) const {
  // The map hashes the text again; mixing the high bits keeps the shard
  // choice independent of the buckets it picks.
  const std::size_t hash = TextHash{}(text);
  return shards_[(hash ^ (hash >> 29)) % kShards];
}

bool MatchMemo::find(std::string_view text, std::vector<int>* hits) const {
  if (text.size() > kMaxTextBytes) return false;
  Shard& shard = shard_of(text);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.entries.find(text);
  if (it == shard.entries.end()) return false;
  *hits = it->second;
  return true;
}

void MatchMemo::remember(std::string_view text, const std::vector<int>& hits) const {
  if (text.size() > kMaxTextBytes) return;
  Shard& shard = shard_of(text);
  std::lock_guard lock(shard.mutex);
  if (shard.entries.size() >= shard_capacity_) shard.entries.clear();
  shard.entries.try_emplace(std::string(text), hits);
}

}  // namespace xiaoer::nlu
