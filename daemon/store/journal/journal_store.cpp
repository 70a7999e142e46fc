#include "daemon/store/journal/journal_store.hpp"

#include <optional>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

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
      compact_after_bytes_(options.compact_after_bytes) {}

void JournalStore::set_options(JournalStoreOptions options) {
  answered_window_.store(options.answered_window, std::memory_order_relaxed);
  compact_after_bytes_.store(options.compact_after_bytes, std::memory_order_relaxed);
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

void JournalStore::load_chat(const std::string& chat, bool ticket_position, Loaded loaded) {
  chat::Snapshot s;
  s.chat = chat;
  {
    ChatTable::Shard& shard = chats_.shard_for(chat);
    std::lock_guard lock(shard.mutex);
    if (const auto it = shard.chats.find(chat); it != shard.chats.end()) {
      ChatEntry& entry = it->second;
      if (entry.pending) {
        // Decided once the change being written is applied or dropped.
        entry.waiters.push_back([this, chat, ticket_position, loaded = std::move(loaded)]() mutable {
          load_chat(chat, ticket_position, std::move(loaded));
        });
        return;
      }
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
  }
  loaded(std::move(s));
}

void JournalStore::commit(chat::Effect effect, Committed committed) {
  std::vector<std::string> lines;
  lines.reserve(effect.changes.size());
  for (const chat::Change& change : effect.changes) lines.push_back(records::of(effect.chat, change));
  // A required effect always persists something; one that would not is
  // applied at once like any other.
  const bool required =
      effect.durability == chat::Durability::kRequired && effect.changes_state() && !lines.empty();
  const std::string chat = effect.chat;
  std::optional<CommitResult> now;  // the result, when it is known without the journal
  {
    ChatTable::Shard& shard = chats_.shard_for(chat);
    std::lock_guard lock(shard.mutex);
    if (effect.changes_state()) {
      ChatEntry& entry = shard.chats[chat];
      if (entry.version != effect.version || entry.pending || !reserve_opening(effect)) {
        now = CommitResult::kConflict;  // decided on a state that is gone (or a number taken)
      } else if (required) {
        entry.pending = std::move(effect);
      } else {
        // Best-effort effects change the chat only (no ticket): applied now.
        if (effect.state) entry.state = std::move(*effect.state);
        entry.version = ++sequence_;
      }
    }
    if (!now && lines.empty()) now = CommitResult::kCommitted;
    // Appended under the shard lock: the journal's order is the commits' order.
    if (!now && required) {
      journal_->append_all(lines, [this, chat, committed](bool ok) { settle(chat, ok, committed); });
    } else if (!now) {
      journal_->append_all(lines, [this, committed](bool ok) {
        if (!ok) metrics_.journal_failures.add();
        committed(ok ? CommitResult::kCommitted : CommitResult::kNotDurable);
      });
    }
  }
  if (now) committed(*now);  // outside the locks: it may commit again
}

bool JournalStore::reserve_opening(const chat::Effect& effect) {
  if (opening_of(effect) == nullptr) return true;
  std::lock_guard lock(queue_mutex_);
  if (!queue_.reserve(opening_of(effect)->ticket.number)) return false;
  count_pending_opening(effect, +1);
  return true;
}

void JournalStore::settle(const std::string& chat, bool written, const Committed& committed) {
  std::vector<std::function<void()>> waiters;
  {
    ChatTable::Shard& shard = chats_.shard_for(chat);
    std::lock_guard lock(shard.mutex);
    ChatEntry& entry = shard.chats.at(chat);  // never expired while pending
    chat::Effect effect = std::move(*entry.pending);
    entry.pending.reset();
    {
      std::lock_guard queue_lock(queue_mutex_);
      count_pending_opening(effect, -1);
      if (written) apply_tickets(effect);
    }
    if (written) {
      if (effect.state) entry.state = std::move(*effect.state);
      entry.version = ++sequence_;
    }
    waiters.swap(entry.waiters);
  }
  if (!written) {
    metrics_.journal_failures.add();
    spdlog::error("journal write failed: a change to chat {} refused with 'unavailable'", chat);
  }
  committed(written ? CommitResult::kCommitted : CommitResult::kUnavailable);
  for (auto& waiter : waiters) waiter();
}

void JournalStore::apply_tickets(const chat::Effect& effect) {
  if (!effect.resolved_ticket.empty()) {
    if (std::optional<queue::Ticket> done = queue_.resolve(effect.resolved_ticket)) {
      history_.add(std::move(*done), clock_.now_ms());
    }
  }
  if (effect.ticket) queue_.put(*effect.ticket);
}

void JournalStore::count_pending_opening(const chat::Effect& effect, int delta) {
  const chat::change::Opened* opened = opening_of(effect);
  if (opened == nullptr) return;
  const int priority = opened->ticket.priority;
  if (delta > 0) {
    ++opening_by_priority_[priority];
  } else if (--opening_by_priority_[priority] == 0) {
    opening_by_priority_.erase(priority);
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
  compact_if_due(now_ms);
}

std::size_t JournalStore::queue_waiting() {
  std::lock_guard lock(queue_mutex_);
  return queue_.waiting();
}

std::optional<std::int64_t> JournalStore::oldest_waiting_ms() {
  std::lock_guard lock(queue_mutex_);
  return queue_.oldest_waiting_ms();
}

}  // namespace xiaoer::store
