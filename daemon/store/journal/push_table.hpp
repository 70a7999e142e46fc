// PushTable: the journal store's pushes not yet acknowledged, in the order
// committed, and the counter their ids come from ("P-<n>").
//
// Thread safety: all members may be called from any thread (own lock).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/store.hpp"

namespace xiaoer::store {

class PushTable {
 public:
  // A new id, never given before (counting those replayed).
  std::string issue();
  // Replay: ids up to `number` were given.
  void note_issued(std::uint64_t number);
  std::uint64_t issued() const;

  void add(UnackedPush push);
  // Removes the listed pushes; returns how many were held.
  std::size_t remove(const std::vector<std::string>& push_ids);
  // Removes those created before `before_ms`; returns their ids.
  std::vector<std::string> expire(std::int64_t before_ms);
  std::vector<UnackedPush> all() const;
  std::size_t size() const;

  // The number of a push id ("P-17" → 17), 0 if it is not one.
  static std::uint64_t number_of(std::string_view push_id);

 private:
  mutable std::mutex mutex_;
  std::uint64_t issued_ = 0;
  std::map<std::uint64_t, UnackedPush> pushes_;  // by number: commit order
};

}  // namespace xiaoer::store
