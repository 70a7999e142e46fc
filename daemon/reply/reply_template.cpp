#include "daemon/reply/reply_template.hpp"

#include <algorithm>
#include <charconv>

namespace xiaoer::reply {
namespace {

constexpr std::string_view kSize = "size";
constexpr std::string_view kSizeForHeight = "size_for_height";
constexpr std::string_view kSizeForWeight = "size_for_weight";
constexpr std::string_view kDeliveryDays = "delivery_days";
constexpr std::string_view kRegionOrDefault = "region_or_default";
constexpr std::string_view kDefaultRegionWord = "您那边";

const std::string* find_fact(const ShopFacts* facts, std::string_view name) {
  if (facts == nullptr) return nullptr;
  const auto it = facts->facts.find(name);
  return it == facts->facts.end() ? nullptr : &it->second;
}

// A slot value as a whole number; slots may come from any pattern.
std::optional<int> to_int(const std::string* text) {
  if (text == nullptr) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> ReplyTemplate::size_from_chart(Kind kind, const ShopFacts& facts,
                                                          const common::SlotMap& slots) {
  const auto h = to_int(slots.find("height"));
  const auto w = to_int(slots.find("weight"));
  switch (kind) {
    case Kind::kSize: return (h && w) ? facts.recommend_size(*h, *w) : std::nullopt;
    case Kind::kSizeForHeight: return h ? facts.sizes_for_height(*h) : std::nullopt;
    case Kind::kSizeForWeight: return w ? facts.sizes_for_weight(*w) : std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<ReplyTemplate> ReplyTemplate::compile(std::string_view source, const Vocabulary& vocabulary,
                                                    Error* error) {
  ReplyTemplate tpl;
  tpl.source_ = std::string(source);
  std::string literal;
  const auto flush = [&] {
    if (literal.empty()) return;
    if (!tpl.pieces_.empty() && tpl.pieces_.back().kind == Kind::kLiteral) {
      tpl.pieces_.back().text += literal;
    } else {
      tpl.pieces_.push_back({Kind::kLiteral, literal});
    }
    literal.clear();
  };
  const auto has_slot = [&](std::string_view name) {
    return std::find(vocabulary.slots.begin(), vocabulary.slots.end(), name) != vocabulary.slots.end();
  };
  for (std::size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if ((c == '{' || c == '}') && i + 1 < source.size() && source[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      *error = {"lone '}' (write '}}' for a brace)", i};
      return std::nullopt;
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const std::size_t close = source.find('}', i);
    if (close == std::string_view::npos) {
      *error = {"unclosed '{'", i};
      return std::nullopt;
    }
    const std::string_view name = source.substr(i + 1, close - i - 1);
    if (const auto cue = parse_cue(name)) {
      flush();
      tpl.pieces_.push_back({Kind::kCue, "", *cue});
    } else if (has_slot(name)) {
      flush();
      tpl.pieces_.push_back({Kind::kSlot, std::string(name)});
    } else if (name == kSize && has_slot("height") && has_slot("weight")) {
      flush();
      tpl.pieces_.push_back({Kind::kSize, ""});
    } else if (name == kSizeForHeight && has_slot("height")) {
      flush();
      tpl.pieces_.push_back({Kind::kSizeForHeight, ""});
    } else if (name == kSizeForWeight && has_slot("weight")) {
      flush();
      tpl.pieces_.push_back({Kind::kSizeForWeight, ""});
    } else if (name == kDeliveryDays) {
      flush();
      tpl.pieces_.push_back({Kind::kDeliveryDays, ""});
    } else if (name == kRegionOrDefault) {
      flush();
      tpl.pieces_.push_back({Kind::kRegionOrDefault, ""});
    } else if (const std::string* fact = find_fact(vocabulary.facts, name)) {
      literal += *fact;
    } else {
      std::string message = "unknown placeholder '{" + std::string(name) + "}'";
      if (name == kSize) message += " ({size} needs slots height and weight)";
      if (name == kSizeForHeight) message += " ({size_for_height} needs slot height)";
      if (name == kSizeForWeight) message += " ({size_for_weight} needs slot weight)";
      *error = {message + ": not an emoji cue, shop fact or slot of this intent", i};
      return std::nullopt;
    }
    i = close;
  }
  flush();
  return tpl;
}

bool ReplyTemplate::render(const ShopFacts& facts, const common::SlotMap& slots, const CueTexts& cues,
                           std::string& out) const {
  const std::size_t start = out.size();
  const std::string* region = slots.find("region");
  for (const Piece& piece : pieces_) {
    switch (piece.kind) {
      case Kind::kLiteral:
        out += piece.text;
        break;
      case Kind::kCue:
        out += cues[static_cast<std::size_t>(piece.cue)];
        break;
      case Kind::kSlot: {
        const std::string* value = slots.find(piece.text);
        if (value == nullptr) {
          out.resize(start);
          return false;
        }
        out += *value;
        break;
      }
      case Kind::kSize:
      case Kind::kSizeForHeight:
      case Kind::kSizeForWeight: {
        const auto size = size_from_chart(piece.kind, facts, slots);
        if (!size) {
          out.resize(start);
          return false;
        }
        out += *size;
        break;
      }
      case Kind::kDeliveryDays:
        out += region ? facts.delivery_days(*region) : facts.default_days;
        break;
      case Kind::kRegionOrDefault:
        out += region ? std::string_view(*region) : kDefaultRegionWord;
        break;
    }
  }
  return true;
}

}  // namespace xiaoer::reply
