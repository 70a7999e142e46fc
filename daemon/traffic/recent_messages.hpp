// RecentMessages: the last N buyer messages the engine answered, kept in
// memory only, so that a reload can say what it would change on real
// traffic (`xiaoerd reload`, the reload guard). Nothing here is written to
// disk.
//
// Thread safety: all members may be called from any thread; add() holds a
// mutex for one move into a ring.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace xiaoer::traffic {

struct RecentMessage {
  std::string text;
  std::string channel;
};

class RecentMessages {
 public:
  // capacity 0 keeps nothing.
  explicit RecentMessages(std::size_t capacity) : capacity_(capacity) {}

  void add(RecentMessage message);

  // Oldest first.
  std::vector<RecentMessage> snapshot() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<RecentMessage> ring_;
  std::size_t next_ = 0;  // where the next one goes once the ring is full
};

}  // namespace xiaoer::traffic
