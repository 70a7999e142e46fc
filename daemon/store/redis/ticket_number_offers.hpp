// TicketNumberOffers: the ticket number each decision in flight on this
// daemon may open a ticket with.
//
// A decision that hands off opens ticket number N, and the commit script
// refuses it if another commit took N first. Offering every decision Redis's
// next number made concurrent handoffs on one daemon collide: of k decided
// at once one committed, the rest were decided again and collided again
// (k² work), and past the chat service's 16 attempts the buyer was answered
// 'unavailable' — the first seconds of a busy shop, when thousands of new
// chats hand off, did exactly that. So each decision in flight here is
// offered a number of its own, above every other offered here; the script
// takes any number no ticket took. A decision that does not hand off leaves
// its number unused: numbers may skip. On one daemon they stay in order of
// opening; two daemons' decisions in flight at once may take theirs out of
// order, and collide only on one same number (one decides again).
//
// Thread safety: every call may come from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace xiaoer::store::redis {

class TicketNumberOffers {
 public:
  // The number `chat`'s decision may open a ticket with: `first_free` (one
  // above Redis's last taken) or above any number still offered here. A
  // chat's earlier offer ends with this one.
  std::uint64_t offer(const std::string& chat, std::uint64_t first_free);

  // `chat`'s decision is committed or dropped: its number may be offered
  // again (if Redis did not take it).
  void release(const std::string& chat);

  std::size_t outstanding() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> by_chat_;
  std::multiset<std::uint64_t> offered_;
};

}  // namespace xiaoer::store::redis
