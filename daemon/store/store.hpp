// Store: where the chats and the human queue are kept, and the one place an
// effect is committed.
//
// DESIGN
// A request goes: load a snapshot of its chat (state, open ticket, version)
// → decide (chat/, a pure function) → commit the effect here → send what it
// says, in the commit's callback. The interface is shaped for a store in
// another process as well as for the journal in this one: every call
// answers through a callback (a round trip), one commit is one atomic step,
// and a per-chat version detects a change made between a snapshot and its
// commit (the effect is refused with kConflict and decided again from a
// fresh snapshot). Nothing is ever undone: a refused effect was never
// applied.
//
// Pushes (agent replies, notices: issue 10): committing an effect gives each
// of its pushes a push_id the store issues (a counter it keeps, so unique
// within the store, and across daemons that share one) and keeps the push,
// persisted with the effect, until it is acknowledged or expires. The
// committed callback gets the effect's sends with those ids set.
//
// Thread safety: every member may be called from any thread; callbacks run
// on any thread (the caller's, or the store's own), never under a lock the
// caller could hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/live_stock.hpp"
#include "daemon/chat/effect.hpp"
#include "daemon/queue/resolved_history.hpp"
#include "daemon/queue/ticket.hpp"

namespace xiaoer::store {

enum class CommitResult {
  kCommitted,    // applied and durable: send
  kNotDurable,   // a best-effort effect applied but not persisted: send anyway
  kConflict,     // the chat changed since the snapshot: decide again
  kUnavailable,  // a required effect could not be persisted (disk full): not applied
};

// A push committed and not yet acknowledged.
struct UnackedPush {
  std::string push_id;
  std::string chat;
  std::string frame;  // as sent
  std::int64_t created_ms = 0;
};

class Store {
 public:
  using Loaded = std::function<void(chat::Snapshot)>;
  // The result, and the effect's sends (its pushes with their ids) when it
  // was committed; empty sends otherwise.
  using Committed = std::function<void(CommitResult, chat::Sends)>;

  virtual ~Store() = default;

  // The chat as it is once every change to it already accepted is applied
  // (so `loaded` may run later, on another thread).
  virtual void load(const std::string& chat, Loaded loaded) = 0;
  // The chat of open ticket `ticket`, with the ticket's place in line; the
  // snapshot has no ticket (or another one) when `ticket` is not open.
  virtual void load_ticket(const std::string& ticket, Loaded loaded) = 0;

  // Commits the effect whole, or refuses it; `committed` runs exactly once.
  // A load is followed by the commit of what was decided on it (even a
  // refusal): a chat's requests are decided and committed in the order they
  // came, and the store may hold a chat's later loads until it comes.
  virtual void commit(chat::Effect effect, Committed committed) = 0;

  // Live stock (catalogue/live_stock.hpp): an update from the shop's ERP,
  // persisted, then applied whole; `committed` runs exactly once:
  // kCommitted, or kUnavailable when it could not be persisted (then it
  // was never applied).
  using StockCommitted = std::function<void(CommitResult)>;
  virtual void commit_stock(catalogue::StockUpdate update, StockCommitted committed) = 0;
  // The live stock now: an immutable snapshot, the same for a whole message.
  virtual std::shared_ptr<const catalogue::LiveStock> live_stock() = 0;

  // Every open ticket in line order (waiting ones first), with its place.
  struct Listed {
    queue::Ticket ticket;
    int position = 0;
  };
  virtual std::vector<Listed> tickets() = 0;
  // Tickets resolved at `since_ms` or later whose chat, buyer nick or id
  // contains `query`, newest first, `limit` at most (queue/resolved_history.hpp).
  virtual std::vector<queue::ResolvedTicket> resolved(std::string_view query, std::int64_t since_ms,
                                                      std::size_t limit) = 0;
  // The chats whose ticket is due a courtesy notice.
  virtual std::vector<std::string> chats_due_notice(std::int64_t now_ms, std::int64_t wait_ms) = 0;

  // Periodic upkeep: forgets chats idle for `idle_ms`, and whatever the
  // store needs (the journal's compaction).
  virtual void tick(std::int64_t now_ms, std::int64_t idle_ms) = 0;

  // Every push not yet acknowledged, in the order committed (so in order
  // per chat).
  virtual std::vector<UnackedPush> unacked_pushes() = 0;
  // The gateway has these (unknown ids are ignored).
  virtual void ack_pushes(const std::vector<std::string>& push_ids) = 0;
  // Forgets the pushes committed before now_ms - after_ms; returns their ids.
  virtual std::vector<std::string> expire_pushes(std::int64_t now_ms, std::int64_t after_ms) = 0;

  virtual std::size_t chats() = 0;
  virtual std::size_t queue_waiting() = 0;
  virtual std::optional<std::int64_t> oldest_waiting_ms() = 0;
  // Committed claims: agent → tickets claimed (none: absent). Kept as
  // tickets change, so a metrics scrape costs the agents, not the tickets.
  virtual std::map<std::string, int> held_by_agent() = 0;
};

}  // namespace xiaoer::store
