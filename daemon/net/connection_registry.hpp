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
  void add(const std::shared_ptr<Connection>& connection);
  void remove(std::uint64_t id);
  std::size_t size() const;
  // Asks every connection to close (after its queued frames).
  void close_all();

  // TCP connections not yet upgraded count too, against the limit.
  std::atomic<std::size_t> pending_http{0};
  // Upgrades accepted whose websocket handshake has not finished: counted
  // against the limit from the moment the upgrade is accepted.
  std::atomic<std::size_t> upgrading{0};

 private:
  std::atomic<std::uint64_t> next_id_{0};
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
};

}  // namespace xiaoer::net
