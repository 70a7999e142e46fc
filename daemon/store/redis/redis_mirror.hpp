// RedisMirror: the Redis store's copy in memory of what the Store
// interface reads synchronously (the queue, resolved tickets, pushes not
// acknowledged, live stock): reloaded whole from Redis, and changed in
// between by this daemon's commits and the events of the others
// (redis_store.hpp).
//
// Thread safety: every member may be called from any thread (own lock).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/live_stock.hpp"
#include "daemon/queue/human_queue.hpp"
#include "daemon/queue/resolved_history.hpp"
#include "daemon/store/journal/push_table.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::store::redis {

class RedisMirror {
 public:
  // A whole reload: the open tickets and the pushes; with `history`, the
  // resolved tickets too (oldest first), and with `stock`, the live stock.
  void replace(std::vector<queue::Ticket> open, std::vector<UnackedPush> pushes);
  void replace_history(std::vector<queue::ResolvedTicket> oldest_first);
  void replace_stock(const std::vector<catalogue::StockUpdate>& updates);

  // One commit's changes.
  void put(queue::Ticket ticket);
  void resolve(const std::string& ticket_id, std::optional<queue::ResolvedTicket> done);
  void add_pushes(const std::vector<UnackedPush>& pushes);
  void remove_pushes(const std::vector<std::string>& push_ids);
  std::vector<std::string> expire_pushes(std::int64_t before_ms);
  void apply_stock(const catalogue::StockUpdate& update);

  std::optional<queue::Ticket> ticket_of_chat(std::string_view chat);
  std::string chat_of_ticket(std::string_view ticket_id);
  std::vector<Store::Listed> tickets();
  // agent → claimed tickets, as far as this daemon has heard (its own
  // commits, the others' events, the reload every second).
  std::map<std::string, int> held_by_agent();
  std::vector<queue::ResolvedTicket> resolved(std::string_view query, std::int64_t since_ms, std::size_t limit);
  std::vector<std::string> chats_due_notice(std::int64_t now_ms, std::int64_t wait_ms);
  std::size_t waiting();
  std::optional<std::int64_t> oldest_waiting_ms();
  std::vector<UnackedPush> pushes() const { return pushes_.all(); }
  std::shared_ptr<const catalogue::LiveStock> live_stock() const { return live_.load(); }

 private:
  std::mutex mutex_;
  queue::HumanQueue queue_;
  queue::ResolvedHistory history_;
  PushTable pushes_;
  std::atomic<std::shared_ptr<const catalogue::LiveStock>> live_{std::make_shared<const catalogue::LiveStock>()};
};

}  // namespace xiaoer::store::redis
