// Emoji cues: {smile}, {heart}, {sorry}, {thanks}, {rose} in a template,
// written as each channel shows them (Unicode by default, 旺旺 codes on
// Taobao, …).
//
// Thread safety: EmojiTable is immutable once built; share freely.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/reply/mood.hpp"

namespace xiaoer::reply {

enum class Cue { kSmile, kHeart, kSorry, kThanks, kRose };
inline constexpr std::size_t kCueCount = 5;

std::string_view cue_name(Cue cue);
std::optional<Cue> parse_cue(std::string_view name);

using CueTexts = std::array<std::string, kCueCount>;

class EmojiTable {
 public:
  // The channel every other one falls back to.
  static constexpr std::string_view kDefaultChannel = "default";

  // `channels` maps channel → cue → text; cues missing from a channel come
  // from "default", and cues missing there are the Unicode defaults.
  explicit EmojiTable(const std::map<std::string, std::map<Cue, std::string>>& channels = {});

  // The cue texts of `channel` (the default channel's for an unknown one).
  // For an upset buyer the cheerful cues ({smile}, {heart}, {rose}) are
  // empty; {sorry} and {thanks} stay.
  const CueTexts& for_channel(std::string_view channel, Mood mood = Mood::kCalm) const;

 private:
  // Calm (first) and upset (second) texts of one channel.
  using ChannelCues = std::pair<CueTexts, CueTexts>;
  static ChannelCues with_sober(CueTexts calm);

  ChannelCues defaults_;
  std::map<std::string, ChannelCues, std::less<>> channels_;
};

}  // namespace xiaoer::reply
