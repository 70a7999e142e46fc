// ChatTable: what the daemon keeps per chat, sharded so that chats do not
// contend: a chat's messages are serialised by its shard's mutex, and two
// chats in different shards never wait for each other.
//
// Thread safety: lock the shard (shard_for(chat).mutex) before touching its
// chats; size() and expire() lock for themselves.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/nlu/context.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::chat {

struct ChatState {
  nlu::Context context;  // the engine's memory of the chat
  // The answers to the last ids, oldest first: a resent id gets the same frame.
  std::vector<std::pair<std::string, std::string>> answered;
  std::vector<queue::TranscriptLine> recent;  // last lines, for a new ticket
  double tokens = -1;                         // rate bucket; -1 until first use
  std::int64_t refilled_ms = 0;
  std::int64_t last_seen_ms = 0;
};

class ChatTable {
 public:
  // Far more shards than I/O threads, so two chats rarely share one; few
  // enough that compaction, which holds every shard's lock at once, stays
  // within ThreadSanitizer's 64 tracked locks.
  static constexpr std::size_t kShards = 32;

  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, ChatState> chats;
  };

  Shard& shard_for(std::string_view chat);
  std::array<Shard, kShards>& shards() { return shards_; }

  std::size_t size();
  // Forgets chats idle for `idle_ms`; returns how many. Tickets live in the
  // human queue and are not touched.
  std::size_t expire(std::int64_t now_ms, std::int64_t idle_ms);

 private:
  std::array<Shard, kShards> shards_;
};

// Appends `item` to a window, dropping the oldest beyond `limit`.
template <typename T>
void push_bounded(std::vector<T>& window, T item, std::size_t limit) {
  window.push_back(std::move(item));
  if (window.size() > limit) window.erase(window.begin(), window.end() - static_cast<std::ptrdiff_t>(limit));
}

}  // namespace xiaoer::chat
