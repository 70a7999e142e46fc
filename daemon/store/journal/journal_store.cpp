#include "daemon/store/journal/journal_store.hpp"

#include <optional>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "daemon/proto/codec.hpp"
#include "daemon/store/journal/records.hpp"

namespace xiaoer::store {
namespace {

const chat::change::Opened* opening_of(const chat::Effect& effect) {
  for (const chat::Change& change : effect.changes) {
    if (const auto* opened = std::get_if<chat::change::Opened>(&change)) return opened;
  }
  return nullptr;
}

}  // namespace

JournalStore::JournalStore(common::Metrics& metrics, const chat::Clock& clock, JournalStoreOptions options)
    : metrics_(metrics),
      clock_(clock),
      answered_window_(options.answered_window),
      compact_after_bytes_(options.compact_after_bytes),
      history_keep_ms_(options.history_keep_ms) {}

void JournalStore::set_options(JournalStoreOptions options) {
  answered_window_.store(options.answered_window, std::memory_order_relaxed);
  compact_after_bytes_.store(options.compact_after_bytes, std::memory_order_relaxed);
  history_keep_ms_.store(options.history_keep_ms, std::memory_order_relaxed);
}

void JournalStore::load(const std::string& chat, Loaded loaded) { load_chat(chat, false, std::move(loaded)); }

void JournalStore::load_ticket(const std::string& ticket, Loaded loaded) {
  std::string chat;
  {
    std::lock_guard lock(queue_mutex_);
    if (const queue::Ticket* t = queue_.find(ticket)) chat = t->chat;
  }
  if (chat.empty()) {
    loaded(chat::Snapshot{});  // no such ticket: the decision says so
    return;
  }
  load_chat(chat, true, std::move(loaded));
}

void JournalStore::load_chat(const std::string& chat, bool ticket_position, Loaded loaded, bool released) {
  chat::Snapshot s;
  s.chat = chat;
  {
    ChatTable::Shard& shard = chats_.shard_for(chat);
    std::lock_guard lock(shard.mutex);
    if (const auto it = shard.chats.find(chat); it != shard.chats.end()) {
      ChatEntry& entry = it->second;
      if (released) --entry.releasing;
      if (released ? entry.pending != nullptr : entry.busy()) {
        // Decided once the change being written is applied or dropped, in
        // the order the requests came: a released waiter before any newer.
        auto waiter = [this, chat, ticket_position, loaded = std::move(loaded)]() mutable {
          load_chat(chat, ticket_position, std::move(loaded), /*released=*/true);
        };
        if (released) {
          entry.waiters.insert(entry.waiters.begin() + static_cast<std::ptrdiff_t>(entry.requeued++), std::move(waiter));
        } else {
          entry.waiters.push_back(std::move(waiter));
        }
        return;
      }
      // A released waiter's commit comes next (ChatService decides at once):
      // newer requests wait for it.
      if (released) entry.deciding = true;
      s.version = entry.version;
      s.state = entry.state;
    }
    std::lock_guard queue_lock(queue_mutex_);
    if (const queue::Ticket* ticket = queue_.find_by_chat(chat)) {
      s.ticket = *ticket;
      if (ticket_position) s.ticket_position = queue_.place_in_line(ticket->priority, ticket->number);
    }
    s.next_ticket_number = queue_.next_number();
    s.waiting_by_priority = queue_.waiting_by_priority();
    for (const auto& [priority, count] : opening_by_priority_) s.waiting_by_priority[priority] += count;
    s.held_by_agent = queue_.held_by_agent();
    for (const auto& [agent, count] : taking_by_agent_) s.held_by_agent[agent] += count;
  }
  loaded(std::move(s));
}

void JournalStore::commit(chat::Effect effect, Committed committed) {
  std::vector<std::string> lines;
  lines.reserve(effect.changes.size() + effect.sends.pushes.size());
  for (const chat::Change& change : effect.changes) lines.push_back(records::of(effect.chat, change));
  const std::int64_t now_ms = clock_.now_ms();
  // A required effect always persists something; one that would not is
  // applied at once like any other.
  const bool required =
      effect.durability == chat::Durability::kRequired && effect.changes_state() && !lines.empty();
  const std::string chat = effect.chat;
  std::optional<CommitResult> now;  // the result, when it is known without the journal
  chat::Sends sends;                // what a best-effort effect sends
  // A failed sync (Journal::failed): nothing is appended until the log is
  // rewritten; required effects are refused, best-effort ones not persisted.
  const bool journal_failed = !lines.empty() && journal_->failed();
  std::vector<std::function<void()>> released;  // waiters that may go on once this is in
  {
    ChatTable::Shard& shard = chats_.shard_for(chat);
    std::lock_guard lock(shard.mutex);
    const auto found = shard.chats.find(chat);
    if (found != shard.chats.end() && found->second.deciding && found->second.version == effect.version) {
      found->second.deciding = false;  // the released request's commit, whatever its result
    }
    if (required && journal_failed) {
      now = CommitResult::kUnavailable;
    } else if (effect.changes_state()) {
      ChatEntry& entry = shard.chats[chat];
      if (entry.version != effect.version || entry.pending || !reserve(effect)) {
        now = CommitResult::kConflict;  // decided on a state that is gone (or a number taken)
      } else {
        // Push ids given once accepted, under the chat's lock: in commit
        // order per chat, and a refused effect takes none.
        for (proto::Push& push : effect.sends.pushes) {
          proto::set_push_id(push, pushes_.issue());
          lines.push_back(records::push(effect.chat, proto::push_id(push), proto::encode(push), now_ms));
        }
        if (required) {
          entry.pending = std::make_unique<chat::Effect>(std::move(effect));
        } else {
          // Best-effort effects change the chat only (no ticket): applied now.
          if (effect.state) entry.state = std::move(*effect.state);
          entry.version = ++sequence_;
        }
      }
    }
    if (!required && !now) sends = std::move(effect.sends);
    if (!now && lines.empty()) now = CommitResult::kCommitted;
    if (!now && journal_failed) now = CommitResult::kNotDurable;
    // Appended under the shard lock: the journal's order is the commits' order.
    if (!now && required) {
      journal_->append_all(lines, [this, chat, committed](bool ok) { settle(chat, ok, committed); });
    } else if (!now) {
      journal_->append_all(lines, [this, chat, now_ms, committed, sends = std::move(sends)](bool ok) mutable {
        if (!ok) metrics_.journal_failures.add();
        if (ok) keep_pushes(chat, sends, now_ms);
        committed(ok ? CommitResult::kCommitted : CommitResult::kNotDurable, std::move(sends));
      });
    }
    // Nothing pending after all (refused, or applied at once): the requests
    // held back behind the released one go on.
    if (const auto it = shard.chats.find(chat); it != shard.chats.end() && !it->second.busy()) {
      released.swap(it->second.waiters);
      it->second.releasing += released.size();
      it->second.requeued = 0;
    }
  }
  if (now == CommitResult::kUnavailable || (now == CommitResult::kNotDurable && journal_failed)) {
    metrics_.journal_failures.add();
  }
  if (now) committed(*now, std::move(sends));  // outside the locks: it may commit again
  for (auto& waiter : released) waiter();
}

void JournalStore::keep_pushes(const std::string& chat, const chat::Sends& sends, std::int64_t created_ms) {
  for (const proto::Push& push : sends.pushes) {
    pushes_.add({proto::push_id(push), chat, proto::encode(push), created_ms});
  }
}

void JournalStore::ack_pushes(const std::vector<std::string>& push_ids) {
  if (push_ids.empty() || pushes_.remove(push_ids) == 0 || journal_->failed()) return;
  // Not waited for: an ack lost in a crash means a push delivered again.
  journal_->append(records::ack(push_ids), {});
}

std::vector<std::string> JournalStore::expire_pushes(std::int64_t now_ms, std::int64_t after_ms) {
  std::vector<std::string> expired = pushes_.expire(now_ms - after_ms);
  if (!expired.empty() && !journal_->failed()) journal_->append(records::ack(expired), {});
  return expired;
}

bool JournalStore::reserve(const chat::Effect& effect) {
  if (opening_of(effect) == nullptr && !effect.taker) return true;
  std::lock_guard lock(queue_mutex_);
  if (effect.taker && effect.taker->capacity > 0) {
    const auto& held = queue_.held_by_agent();
    const auto committed = held.find(effect.taker->agent);
    const auto taking = taking_by_agent_.find(effect.taker->agent);
    const int holds = (committed == held.end() ? 0 : committed->second) +
                      (taking == taking_by_agent_.end() ? 0 : taking->second);
    if (holds >= effect.taker->capacity) return false;
  }
  if (opening_of(effect) != nullptr && !queue_.reserve(opening_of(effect)->ticket.number)) return false;
  count_pending(effect, +1);
  return true;
}

void JournalStore::settle(const std::string& chat, bool written, const Committed& committed) {
  std::vector<std::function<void()>> waiters;
  chat::Sends sends;
  {
    ChatTable::Shard& shard = chats_.shard_for(chat);
    std::lock_guard lock(shard.mutex);
    ChatEntry& entry = shard.chats.at(chat);  // never expired while pending
    chat::Effect effect = std::move(*entry.pending);
    entry.pending.reset();
    {
      std::lock_guard queue_lock(queue_mutex_);
      count_pending(effect, -1);
      if (written) apply_tickets(effect);
    }
    if (written) {
      if (effect.state) entry.state = std::move(*effect.state);
      entry.version = ++sequence_;
      keep_pushes(chat, effect.sends, clock_.now_ms());
      sends = std::move(effect.sends);
    }
    waiters.swap(entry.waiters);
    entry.releasing += waiters.size();
    entry.requeued = 0;
  }
  if (!written) {
    metrics_.journal_failures.add();
    spdlog::error("journal write failed: a change to chat {} refused with 'unavailable'", chat);
  }
  committed(written ? CommitResult::kCommitted : CommitResult::kUnavailable, std::move(sends));
  for (auto& waiter : waiters) waiter();
}

void JournalStore::apply_tickets(chat::Effect& effect) {
  if (!effect.resolved_ticket.empty()) {
    if (std::optional<queue::Ticket> done = queue_.resolve(effect.resolved_ticket)) {
      history_.add(std::move(*done), clock_.now_ms());
    }
  }
  if (effect.ticket) queue_.put(std::move(*effect.ticket));  // a transcript of up to 200 lines: not copied
}

void JournalStore::count_pending(const chat::Effect& effect, int delta) {
  if (effect.taker && (taking_by_agent_[effect.taker->agent] += delta) <= 0) {
    taking_by_agent_.erase(effect.taker->agent);
  }
  const chat::change::Opened* opened = opening_of(effect);
  if (opened == nullptr) return;
  if ((opening_by_priority_[opened->ticket.priority] += static_cast<std::size_t>(delta)) == 0) {
    opening_by_priority_.erase(opened->ticket.priority);
  }
}

std::vector<Store::Listed> JournalStore::tickets() {
  std::lock_guard lock(queue_mutex_);
  std::vector<Listed> out;
  int position = 0;
  for (const queue::Ticket* t : queue_.ordered()) {
    out.push_back({*t, t->state == queue::TicketState::kWaiting ? ++position : 0});
  }
  return out;
}

std::vector<queue::ResolvedTicket> JournalStore::resolved(std::string_view query, std::int64_t since_ms,
                                                         std::size_t limit) {
  std::lock_guard lock(queue_mutex_);
  return history_.search(query, since_ms, limit);
}

std::vector<std::string> JournalStore::chats_due_notice(std::int64_t now_ms, std::int64_t wait_ms) {
  std::lock_guard lock(queue_mutex_);
  std::vector<std::string> out;
  for (const queue::Ticket* ticket : queue_.due_notices(now_ms, wait_ms)) out.push_back(ticket->chat);
  return out;
}

void JournalStore::tick(std::int64_t now_ms, std::int64_t idle_ms) {
  chats_.expire(now_ms, idle_ms);
  {
    std::lock_guard lock(queue_mutex_);
    history_.forget_before(now_ms - history_keep_ms_.load(std::memory_order_relaxed));
  }
  note_sync_failures();
  compact_if_due(now_ms);
}

void JournalStore::note_sync_failures() {
  if (journal_ == nullptr) return;
  const std::uint64_t failures = journal_->stats().sync_failures;
  const std::uint64_t seen = sync_failures_seen_.exchange(failures);
  if (failures <= seen) return;
  metrics_.journal_sync_failures.add(failures - seen);
  recovering_.store(true);
  spdlog::error("journal fdatasync failed ({} so far): queue changes are refused ('unavailable') until the journal "
                "is rewritten from memory and synced (tried every second)",
                failures);
}

std::size_t JournalStore::queue_waiting() {
  std::lock_guard lock(queue_mutex_);
  return queue_.waiting();
}

std::optional<std::int64_t> JournalStore::oldest_waiting_ms() {
  std::lock_guard lock(queue_mutex_);
  return queue_.oldest_waiting_ms();
}

std::map<std::string, int> JournalStore::held_by_agent() {
  std::lock_guard lock(queue_mutex_);
  return queue_.held_by_agent();
}

}  // namespace xiaoer::store
