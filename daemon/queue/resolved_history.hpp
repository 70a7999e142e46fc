// ResolvedHistory: the tickets agents resolved, newest last, for the
// console's history and its search by chat or buyer.
//
// In-memory with the queue it belongs to: the store that owns it adds a
// ticket when it commits (or replays) its resolution, and writes those
// still kept into a compacted journal. At most kMaxResolved are kept, none
// resolved before what forget_before() was last given; a search sees those
// resolved since a given time.
//
// Thread safety: none; the owner locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <vector>

#include "daemon/queue/ticket.hpp"

namespace xiaoer::queue {

inline constexpr std::size_t kMaxResolved = 20000;

struct ResolvedTicket {
  Ticket ticket;
  std::int64_t resolved_ms = 0;
};

class ResolvedHistory {
 public:
  void add(Ticket ticket, std::int64_t resolved_ms);

  // Up to `limit` tickets resolved at `since_ms` or later whose chat, buyer
  // nick or ticket id contains `query` ("" matches all), newest first.
  std::vector<ResolvedTicket> search(std::string_view query, std::int64_t since_ms, std::size_t limit) const;

  // Drops the tickets resolved before `before_ms` (they are added in time
  // order, so from the oldest).
  void forget_before(std::int64_t before_ms);
  // Every ticket kept, oldest first.
  const std::deque<ResolvedTicket>& all() const { return resolved_; }

  std::size_t size() const { return resolved_.size(); }

 private:
  std::deque<ResolvedTicket> resolved_;
};

}  // namespace xiaoer::queue
