// ConnectionRegistry: every open websocket connection, so that a drain can
// close them all and the listener can enforce the connection limit.
//
// Thread safety: all members may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "daemon/net/message_handler.hpp"

namespace xiaoer::net {

class ConnectionRegistry {
 public:
  std::uint64_t next_id() { return next_id_.fetch_add(1) + 1; }

  // Reserves a place for an upgrade being accepted, if open connections and
  // upgrades under way are below `limit` (checked and reserved as one step,
  // so two upgrades racing for the last place cannot both get it).
  bool begin_upgrade(std::size_t limit);
  // The upgrade failed: its place is free again.
  void abandon_upgrade();
  // Registers an open connection; `upgraded`: it takes the place reserved
  // by begin_upgrade (in the same step, so it is never counted twice).
  void add(const std::shared_ptr<Connection>& connection, bool upgraded);
  void remove(std::uint64_t id);
  std::size_t size() const;
  // Asks every connection to close (after its queued frames).
  void close_all();

  // TCP connections not yet upgraded count too, against the limit.
  std::atomic<std::size_t> pending_http{0};


 private:
  std::atomic<std::uint64_t> next_id_{0};
  mutable std::mutex mutex_;
  std::size_t upgrading_ = 0;  // reserved by begin_upgrade, not yet added
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
};

}  // namespace xiaoer::net
