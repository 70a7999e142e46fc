// ChatTable: the journal store's chats in memory, sharded so that chats do
// not contend: two chats in different shards never wait for each other.
//
// Thread safety: lock the shard (shard_for(chat).mutex) before touching its
// chats; size() and expire() lock for themselves.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/chat/chat_state.hpp"
#include "daemon/chat/effect.hpp"

namespace xiaoer::store {

struct ChatEntry {
  chat::ChatState state;
  std::uint64_t version = 0;
  // A required effect accepted and being written: applied once durable.
  // While it is, loads of the chat wait (`waiters` run when it settles).
  // On the heap: an Effect is ~1.4 KiB and most chats have none pending,
  // so inline it would be nine tenths of every chat's memory.
  std::unique_ptr<chat::Effect> pending;
  std::vector<std::function<void()>> waiters;
  // The chat's requests keep their order (issue 10: an agent's replies were
  // pushed out of order): waiters handed out and not yet run (`releasing`),
  // and the one of them that loaded and has not committed yet (`deciding`),
  // hold back a load arriving meanwhile. Released waiters that find a new
  // change pending go back first, `requeued` in all.
  std::size_t releasing = 0;
  bool deciding = false;
  std::size_t requeued = 0;

  bool busy() const { return pending != nullptr || releasing > 0 || deciding; }
};

class ChatTable {
 public:
  // Far more shards than I/O threads, so two chats rarely share one; few
  // enough that compaction, which holds every shard's lock at once, stays
  // within ThreadSanitizer's 64 tracked locks.
  static constexpr std::size_t kShards = 32;

  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, ChatEntry> chats;
  };

  Shard& shard_for(std::string_view chat);
  std::array<Shard, kShards>& shards() { return shards_; }

  std::size_t size();
  // Forgets chats idle for `idle_ms` (none with a change being written);
  // returns how many. Tickets live in the human queue and are not touched.
  std::size_t expire(std::int64_t now_ms, std::int64_t idle_ms);

 private:
  std::array<Shard, kShards> shards_;
};

}  // namespace xiaoer::store
