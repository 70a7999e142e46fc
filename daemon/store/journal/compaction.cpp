// JournalStore's compaction: the live state copied, the log rewritten as it.
#include <algorithm>
#include <memory>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "daemon/proto/codec.hpp"
#include "daemon/store/journal/journal_store.hpp"
#include "daemon/store/journal/records.hpp"
#include "daemon/store/journal/stock_record.hpp"

namespace xiaoer::store {
namespace {

constexpr std::int64_t kCompactionRetryMs = 30'000;
// After a failed sync the log must be rewritten before changes resume.
constexpr std::int64_t kRecoveryRetryMs = 1'000;

}  // namespace

void JournalStore::compact_if_due(std::int64_t now_ms) {
  // One rewrite at a time: a large snapshot can take longer than a tick.
  if (journal_ == nullptr || compacting_.load(std::memory_order_acquire)) return;
  // After a failure, not at every tick: each attempt copies the live state
  // with the locks held.
  if (now_ms < compaction_retry_at_ms_.load(std::memory_order_relaxed)) return;
  // Not before the log has grown by the live state's size again: a rewrite
  // then costs at most one byte per byte appended, however many tickets
  // are open.
  const JournalStats stats = journal_->stats();
  const auto due_at =
      std::max(static_cast<std::uint64_t>(compact_after_bytes_.load(std::memory_order_relaxed)), stats.snapshot_bytes);
  if (stats.bytes_since_compaction < due_at && !journal_->failed()) return;
  const auto started = std::chrono::steady_clock::now();
  // The live state, copied: the journal's helper thread turns it into
  // records while changes go on.
  struct Window {
    std::string chat;
    chat::AnsweredWindow answered;
    nlu::Context context;
  };
  struct State {
    std::vector<Window> windows;
    std::vector<queue::Ticket> tickets;
    std::vector<queue::ResolvedTicket> history;  // oldest first
    std::vector<catalogue::StockUpdate> stock;
    std::vector<UnackedPush> pushes;
    std::uint64_t pushes_issued = 0;
  };
  auto state = std::make_shared<State>();
  // The live stock with the updates still being written (before the cut,
  // like the chats' pending changes); held until the compaction is queued,
  // so no update falls between the two.
  std::lock_guard stock_lock(stock_mutex_);
  {
    std::shared_ptr<const catalogue::LiveStock> stock = live_stock();
    for (const catalogue::StockUpdate& update : stock_pending_) stock = stock->with(update);
    state->stock = stock->updates();
  }
  // Every shard and the queue are held while the state is copied and the
  // compaction queued, so no change falls between the two.
  std::vector<std::unique_lock<std::mutex>> locks;
  for (ChatTable::Shard& shard : chats_.shards()) locks.emplace_back(shard.mutex);
  std::lock_guard queue_lock(queue_mutex_);
  // Changes accepted but still being written are before the cut: the copy
  // has them (if one fails, the journal drops this rewrite).
  std::unordered_map<std::string, queue::Ticket> tickets;
  for (const queue::Ticket* ticket : queue_.ordered()) tickets.emplace(ticket->id, *ticket);
  // The history still kept, oldest first (a resolve being written joins it
  // below, as the newest).
  const std::int64_t keep_since = now_ms - history_keep_ms_.load(std::memory_order_relaxed);
  for (const queue::ResolvedTicket& done : history_.all()) {
    if (done.resolved_ms >= keep_since) state->history.push_back(done);
  }
  std::size_t chats = 0;
  for (ChatTable::Shard& shard : chats_.shards()) chats += shard.chats.size();
  state->windows.reserve(chats);
  for (ChatTable::Shard& shard : chats_.shards()) {
    for (const auto& [chat_id, entry] : shard.chats) {
      const chat::ChatState* chat = &entry.state;
      if (entry.pending) {
        const chat::Effect& pending = *entry.pending;
        if (pending.state) chat = &*pending.state;
        if (const auto done = tickets.find(pending.resolved_ticket); done != tickets.end()) {
          state->history.push_back({std::move(done->second), now_ms});
          tickets.erase(done);
        }
        if (pending.ticket) tickets.insert_or_assign(pending.ticket->id, *pending.ticket);
        for (const proto::Push& push : pending.sends.pushes) {
          state->pushes.push_back({proto::push_id(push), chat_id, proto::encode(push), now_ms});
        }
      }
      if (!chat->answered.empty()) state->windows.push_back({chat_id, chat->answered, chat->context});
    }
  }
  // The pushes kept, and the pending ones (their records are before the
  // cut), in commit order; and the counter, so no id is given twice.
  for (UnackedPush& push : pushes_.all()) state->pushes.push_back(std::move(push));
  std::sort(state->pushes.begin(), state->pushes.end(), [](const UnackedPush& a, const UnackedPush& b) {
    return PushTable::number_of(a.push_id) < PushTable::number_of(b.push_id);
  });
  state->pushes_issued = pushes_.issued();
  state->tickets.reserve(tickets.size());
  for (auto& [id, ticket] : tickets) state->tickets.push_back(std::move(ticket));
  // Replayed in opening order, as they were opened.
  std::sort(state->tickets.begin(), state->tickets.end(),
            [](const queue::Ticket& a, const queue::Ticket& b) { return a.number < b.number; });
  const auto paused = std::chrono::steady_clock::now() - started;
  compacting_.store(true, std::memory_order_release);
  journal_->compact(
      [state] {
        std::vector<std::string> snapshot;
        for (const catalogue::StockUpdate& update : state->stock) snapshot.push_back(records::stock(update));
        for (const queue::ResolvedTicket& done : state->history) {
          snapshot.push_back(records::done(done.ticket, done.resolved_ms));
        }
        for (const Window& w : state->windows) {
          for (const auto& answered : w.answered) {
            snapshot.push_back(records::answer(w.chat, answered->id, proto::encode(answered->answer), w.context,
                                               /*window_copy=*/true));
          }
        }
        for (const queue::Ticket& ticket : state->tickets) snapshot.push_back(records::open(ticket));
        if (state->pushes_issued != 0) snapshot.push_back(records::push_seq(state->pushes_issued));
        for (const UnackedPush& p : state->pushes) {
          snapshot.push_back(records::push(p.chat, p.push_id, p.frame, p.created_ms));
        }
        return snapshot;
      },
      [this, started, paused](bool ok) { compacted(ok, started, paused, clock_.now_ms()); });
}

void JournalStore::compacted(bool ok, std::chrono::steady_clock::time_point started,
                             std::chrono::steady_clock::duration paused, std::int64_t now_ms) {
  compacting_.store(false, std::memory_order_release);
  using std::chrono::milliseconds;
  const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  if (!ok) {
    metrics_.compactions_failed.add();
    compaction_retry_at_ms_.store(now_ms + (journal_->failed() ? kRecoveryRetryMs : kCompactionRetryMs),
                                  std::memory_order_relaxed);
    spdlog::warn("journal compaction failed after {} ms (disk full, I/O error, or a record before it failed); the "
                 "log keeps growing, retried in {} s",
                 took.count(), kCompactionRetryMs / 1000);
    return;
  }
  metrics_.compactions_ok.add();
  if (recovering_.exchange(false)) spdlog::warn("journal rewritten from memory and synced: queue changes accepted again");
  spdlog::info("journal compacted to a {:.1f} MiB snapshot of the live state in {} ms (changes paused {} ms while "
               "it was taken)",
               static_cast<double>(journal_->stats().snapshot_bytes) / (1 << 20), took.count(),
               std::chrono::duration_cast<milliseconds>(paused).count());
}

}  // namespace xiaoer::store
