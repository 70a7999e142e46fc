#include "daemon/reply/emoji.hpp"

namespace xiaoer::reply {
namespace {

constexpr std::array<std::string_view, kCueCount> kNames = {"smile", "heart", "sorry", "thanks", "rose"};
constexpr std::array<std::string_view, kCueCount> kUnicode = {"😊", "❤️", "🙏", "🙏", "🌹"};

}  // namespace

std::string_view cue_name(Cue cue) { return kNames[static_cast<std::size_t>(cue)]; }

std::optional<Cue> parse_cue(std::string_view name) {
  for (std::size_t i = 0; i < kCueCount; ++i) {
    if (kNames[i] == name) return static_cast<Cue>(i);
  }
  return std::nullopt;
}

EmojiTable::ChannelCues EmojiTable::with_sober(CueTexts calm) {
  CueTexts upset = calm;
  for (Cue cue : {Cue::kSmile, Cue::kHeart, Cue::kRose}) upset[static_cast<std::size_t>(cue)].clear();
  return {std::move(calm), std::move(upset)};
}

EmojiTable::EmojiTable(const std::map<std::string, std::map<Cue, std::string>>& channels) {
  CueTexts defaults;
  for (std::size_t i = 0; i < kCueCount; ++i) defaults[i] = std::string(kUnicode[i]);
  if (const auto it = channels.find(std::string(kDefaultChannel)); it != channels.end()) {
    for (const auto& [cue, text] : it->second) defaults[static_cast<std::size_t>(cue)] = text;
  }
  for (const auto& [channel, cues] : channels) {
    CueTexts texts = defaults;
    for (const auto& [cue, text] : cues) texts[static_cast<std::size_t>(cue)] = text;
    channels_.emplace(channel, with_sober(std::move(texts)));
  }
  defaults_ = with_sober(std::move(defaults));
}

const CueTexts& EmojiTable::for_channel(std::string_view channel, Mood mood) const {
  const auto it = channels_.find(channel);
  const ChannelCues& cues = it == channels_.end() ? defaults_ : it->second;
  return mood == Mood::kUpset ? cues.second : cues.first;
}

}  // namespace xiaoer::reply
