// MatchMemo: the rules a text matched, remembered for when the same text
// comes again.
//
// Buyers send the same short lines over and over (在吗, 好的, 发货了吗), and
// a text's matching rules never change while the intent set lives, so a
// repeat costs a hash look-up instead of a match. Bounded: a shard that
// fills is emptied whole (as RE2 empties a full DFA cache), and a long text
// is not kept (long lines rarely repeat).
//
// Thread safety: find() and remember() may run on many threads at once
// (one mutex a shard).
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace xiaoer::nlu {

class MatchMemo {
 public:
  // Texts of more bytes than this are neither kept nor looked up.
  static constexpr std::size_t kMaxTextBytes = 192;

  explicit MatchMemo(std::size_t capacity);

  // Writes the remembered rules of `text` to `hits` and returns true, or
  // returns false (hits untouched) when it is not remembered.
  bool find(std::string_view text, std::vector<int>* hits) const;

  void remember(std::string_view text, const std::vector<int>& hits) const;

 private:
  static constexpr std::size_t kShards = 16;

  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<int>, TextHash, std::equal_to<>> entries;
  };

  Shard& shard_of(std::string_view text) const;

  std::size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace xiaoer::nlu
