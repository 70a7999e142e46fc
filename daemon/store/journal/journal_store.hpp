// JournalStore: the store in this process: the chats and the human queue in
// memory, every change written to the journal before it is acknowledged.
//
// DESIGN
// commit(effect), under the chat's shard lock: refuse it if the chat's
// version moved or a change of the chat is still being written (kConflict);
// otherwise append its records to the journal (under the lock, so the
// journal's order is the order of commits), and
//   - a best-effort effect (bot reply, resend, refusal) is applied at once
//     and answered once written, or even if it could not be (kNotDurable);
//   - a required effect (anything that touches a ticket) is held as the
//     chat's `pending` change and applied only in the journal's callback,
//     once durable; if the journal fails it is dropped (kUnavailable): it
//     never reached the tables, so there is nothing to undo. Loads of that
//     chat wait until it settles, so no decision is made on a state that
//     might not happen; they resume on the journal's thread, in the order
//     they came: a load arriving while they are being resumed, or while the
//     first of them decides, waits behind them (ChatEntry::busy).
//     A load is always followed by its commit (store.hpp).
// A ticket's number is reserved when its opening is accepted (a failed
// opening leaves a gap in the numbering, never a duplicate), and the line
// a new ticket sees counts the openings still being written. Likewise an
// effect that gives a ticket to an agent is accepted only within the
// agent's capacity, counting the claims still being written.
//
// A failed fdatasync (Journal::failed): commits are refused or not
// persisted and nothing else is appended, and compaction is due at once
// (retried every second), until a rewrite from memory succeeds.
//
// Compaction (at tick): with every shard and the queue locked, the tables
// plus the pending changes are copied and the rewrite queued; the journal
// drops a rewrite whose cut follows a failed record (the copy assumed it
// written) and it is tried again 30 s later.
//
// Pushes: commit() gives each push of the effect an id (PushTable::issue)
// and writes a `push` record with the effect's records; once committed the
// push is kept (pushes_) until an `ack` record names it. Compaction writes
// the pushes kept and the counter.
//
// Replay (start-up, before attach): each record applied to the tables.
//
// Lock order: a chat shard, then the queue; compaction takes the stock
// lock, every shard in index order, then the queue. The journal never calls back under its lock,
// and no callback is run under ours.
//
// Thread safety: every member may be called from any thread, except
// replay() and attach() (start-up, one thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "daemon/chat/chat_options.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/queue/human_queue.hpp"
#include "daemon/store/journal/chat_table.hpp"
#include "daemon/store/journal/journal.hpp"
#include "daemon/store/journal/push_table.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::store {

struct JournalStoreOptions {
  int answered_window = 8;                        // answers kept per chat at replay
  std::int64_t compact_after_bytes = 64ll << 20;  // the log's growth before a rewrite
  // Resolved tickets are kept this long for the history (console.history_days).
  std::int64_t history_keep_ms = 30ll * 86400 * 1000;
};

class JournalStore final : public Store {
 public:
  // Keeps references to both; they must outlive the store.
  JournalStore(common::Metrics& metrics, const chat::Clock& clock, JournalStoreOptions options);

  // Start-up: applies one journal record. false with `error` for a record
  // it cannot apply. `follows_damage`: the line just before it was skipped
  // as damaged (a handoff answer then restores a ticket whose `open` record
  // was that line).
  bool replay(std::string_view record, std::string* error, bool follows_damage = false);
  // The journal, once replayed. It must be destroyed before the store: its
  // last callbacks use it.
  void attach(Journal& journal) { journal_ = &journal; }
  void set_options(JournalStoreOptions options);

  void load(const std::string& chat, Loaded loaded) override;
  void load_ticket(const std::string& ticket, Loaded loaded) override;
  void commit(chat::Effect effect, Committed committed) override;
  std::vector<Listed> tickets() override;
  std::vector<std::string> chats_due_notice(std::int64_t now_ms, std::int64_t wait_ms) override;
  std::vector<queue::ResolvedTicket> resolved(std::string_view query, std::int64_t since_ms,
                                              std::size_t limit) override;
  void tick(std::int64_t now_ms, std::int64_t idle_ms) override;
  std::vector<UnackedPush> unacked_pushes() override { return pushes_.all(); }
  void ack_pushes(const std::vector<std::string>& push_ids) override;
  std::vector<std::string> expire_pushes(std::int64_t now_ms, std::int64_t after_ms) override;
  std::size_t chats() override { return chats_.size(); }
  std::size_t queue_waiting() override;
  std::optional<std::int64_t> oldest_waiting_ms() override;
  std::map<std::string, int> held_by_agent() override;
  // journal_store_stock.cpp: a `stock` record each, applied once written.
  void commit_stock(catalogue::StockUpdate update, StockCommitted committed) override;
  std::shared_ptr<const catalogue::LiveStock> live_stock() override;

 private:
  bool replay_stock(std::string_view record, std::string* error);
  // Loads `chat`; with `ticket_position`, the place its ticket has or
  // would have in line.
  // `released`: a waiter the last settle handed out (it keeps its place).
  void load_chat(const std::string& chat, bool ticket_position, Loaded loaded, bool released = false);
  // A required effect's journal callback: applies or drops it, then lets
  // the waiting loads go on.
  void settle(const std::string& chat, bool written, const Committed& committed);
  // Replay: a handoff whose `open` record was lost gets its ticket back
  // from what the answer says (issue 10, defect 7).
  void restore_lost_opening(const std::string& chat, const proto::Answer& answer);
  // A committed effect's pushes join the unacknowledged ones.
  void keep_pushes(const std::string& chat, const chat::Sends& sends, std::int64_t created_ms);
  // The effect's ticket changes, to the queue (queue_mutex_ held); its ticket is moved there.
  void apply_tickets(chat::Effect& effect);
  // Takes the number of the ticket the effect opens, if any, and a place
  // within its taker's capacity (another chat may have taken either since
  // the snapshot: false, nothing taken).
  bool reserve(const chat::Effect& effect);
  // The effect's opening and taker, counted as being written (queue_mutex_ held).
  void count_pending(const chat::Effect& effect, int delta);
  void compact_if_due(std::int64_t now_ms);
  // Counts and logs the journal's failed syncs since the last tick.
  void note_sync_failures();
  void compacted(bool ok, std::chrono::steady_clock::time_point started, std::chrono::steady_clock::duration paused,
                 std::int64_t now_ms);

  common::Metrics& metrics_;
  const chat::Clock& clock_;
  std::atomic<int> answered_window_;
  std::atomic<std::int64_t> compact_after_bytes_;
  std::atomic<std::int64_t> history_keep_ms_;
  Journal* journal_ = nullptr;
  std::atomic<std::uint64_t> sequence_{0};  // the last version given to a chat
  std::atomic<bool> compacting_{false};     // a compaction is queued or running
  std::atomic<std::int64_t> compaction_retry_at_ms_{0};  // after a failed one (disk full)
  std::atomic<std::uint64_t> sync_failures_seen_{0};
  std::atomic<bool> recovering_{false};  // a sync failed since the last compaction

  ChatTable chats_;
  PushTable pushes_;
  std::mutex queue_mutex_;
  queue::HumanQueue queue_;
  // Resolved tickets of the last history_keep_ms_ (queue_mutex_): a
  // compaction writes them (`done` records), so a restart keeps them.
  queue::ResolvedHistory history_;
  std::map<int, std::size_t> opening_by_priority_;  // accepted openings not yet durable (queue_mutex_)
  std::map<std::string, int> taking_by_agent_;      // accepted claims not yet durable, by taker (queue_mutex_)
  // Live stock: appended under stock_mutex_ (the journal's order is the
  // order applied), published whole once written.
  std::mutex stock_mutex_;
  std::deque<catalogue::StockUpdate> stock_pending_;  // appended, not yet written (stock_mutex_)
  std::atomic<std::shared_ptr<const catalogue::LiveStock>> live_{std::make_shared<const catalogue::LiveStock>()};
};

}  // namespace xiaoer::store
