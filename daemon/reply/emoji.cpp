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

EmojiTable::EmojiTable(const std::map<std::string, std::map<Cue, std::string>>& channels) {
  for (std::size_t i = 0; i < kCueCount; ++i) defaults_[i] = std::string(kUnicode[i]);
  if (const auto it = channels.find(std::string(kDefaultChannel)); it != channels.end()) {
    for (const auto& [cue, text] : it->second) defaults_[static_cast<std::size_t>(cue)] = text;
  }
  for (const auto& [channel, cues] : channels) {
    CueTexts texts = defaults_;
    for (const auto& [cue, text] : cues) texts[static_cast<std::size_t>(cue)] = text;
    channels_.emplace(channel, std::move(texts));
  }
}

const CueTexts& EmojiTable::for_channel(std::string_view channel) const {
  const auto it = channels_.find(channel);
  return it == channels_.end() ? defaults_ : it->second;
}

}  // namespace xiaoer::reply
