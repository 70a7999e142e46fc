#include "daemon/reply/reply_template.hpp"

#include <algorithm>
#include <charconv>

#include "daemon/reply/item_answers.hpp"

namespace xiaoer::reply {
namespace {

constexpr std::string_view kSize = "size";
constexpr std::string_view kSizeForHeight = "size_for_height";
constexpr std::string_view kSizeForWeight = "size_for_weight";
constexpr std::string_view kDeliveryDays = "delivery_days";
constexpr std::string_view kRegionOrDefault = "region_or_default";
constexpr std::string_view kDefaultRegionWord = "您那边";

// Placeholders only an item can fill, and the slots they read.
constexpr std::pair<std::string_view, ReplyTemplate::Kind> kItemOnly[] = {
    {"stock", ReplyTemplate::Kind::kStock},
    {"measure", ReplyTemplate::Kind::kMeasure},
    {"colours", ReplyTemplate::Kind::kColours},
    {"sizes", ReplyTemplate::Kind::kSizes},
};

// The product facts (fabric to stock): what differs from item to item.
constexpr std::string_view kItemFacts[] = {
    "item_title", "item_notes", "cut",      "fabric",    "fabric_desc", "care",     "thickness",  "elasticity",
    "shrink",     "pilling",    "fading",   "smell",     "size_table",  "size_fit", "stock_note", "restock_note",
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : "、") + name;
  return out;
}

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

std::string_view slot_or_empty(const common::SlotMap& slots, std::string_view name) {
  const std::string* value = slots.find(name);
  return value ? std::string_view(*value) : std::string_view();
}

}  // namespace

bool is_item_fact(std::string_view name) {
  return std::find(std::begin(kItemFacts), std::end(kItemFacts), name) != std::end(kItemFacts);
}

std::optional<std::string> ReplyTemplate::size_from_chart(Kind kind, const ShopFacts& facts,
                                                          const common::SlotMap& slots, const ItemView& item) const {
  if (chart_of_item_ && item.item == nullptr) return std::nullopt;
  const std::vector<SizeRow>& rows = chart_of_item_ ? item.item->chart.rows : facts.size_chart;
  const auto h = to_int(slots.find("height"));
  const auto w = to_int(slots.find("weight"));
  switch (kind) {
    case Kind::kSize: return (h && w) ? catalogue::recommend_size(rows, *h, *w) : std::nullopt;
    case Kind::kSizeForHeight: return h ? catalogue::sizes_for_height(rows, *h) : std::nullopt;
    case Kind::kSizeForWeight: return w ? catalogue::sizes_for_weight(rows, *w) : std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<std::string> ReplyTemplate::item_value(const Piece& piece, const ShopFacts& facts,
                                                     const common::SlotMap& slots, const ItemView& view) {
  const catalogue::Item* item = view.item;
  if (piece.kind == Kind::kFact) {
    if (item != nullptr) {
      if (const std::string* value = item->fact(piece.text)) return *value;
    }
    if (const std::string* value = find_fact(&facts, piece.text)) return *value;
    return std::nullopt;
  }
  if (item == nullptr) return std::nullopt;
  switch (piece.kind) {
    case Kind::kItemFact:
      if (const std::string* value = item->fact(piece.text)) return *value;
      return std::nullopt;
    case Kind::kStock:
      return stock_answer(*item, view.live, slot_or_empty(slots, "colour"), slot_or_empty(slots, "size"));
    case Kind::kMeasure: {
      const std::string_view measurement = slot_or_empty(slots, "measurement");
      if (measurement.empty()) return std::nullopt;
      return measure_answer(*item, slot_or_empty(slots, "size"), measurement);
    }
    case Kind::kColours:
      if (item->colours.empty()) return std::nullopt;
      return joined(item->colours);
    case Kind::kSizes:
      if (item->sizes.empty()) return std::nullopt;
      return joined(item->sizes);
    default:
      return std::nullopt;
  }
}

std::optional<ReplyTemplate> ReplyTemplate::compile(std::string_view source, const Vocabulary& vocabulary,
                                                    Error* error) {
  ReplyTemplate tpl;
  tpl.source_ = std::string(source);
  tpl.chart_of_item_ = vocabulary.catalogue;
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
    const auto item_only = std::find_if(std::begin(kItemOnly), std::end(kItemOnly),
                                        [&](const auto& entry) { return entry.first == name; });
    const std::string* fact = find_fact(vocabulary.facts, name);
    if (const auto cue = parse_cue(name)) {
      flush();
      tpl.pieces_.push_back({Kind::kCue, "", *cue});
    } else if (has_slot(name)) {
      flush();
      tpl.pieces_.push_back({Kind::kSlot, std::string(name)});
    } else if (name == kSize && has_slot("height") && has_slot("weight")) {
      flush();
      tpl.pieces_.push_back({Kind::kSize, ""});
      tpl.uses_item_ |= vocabulary.catalogue;
    } else if (name == kSizeForHeight && has_slot("height")) {
      flush();
      tpl.pieces_.push_back({Kind::kSizeForHeight, ""});
      tpl.uses_item_ |= vocabulary.catalogue;
    } else if (name == kSizeForWeight && has_slot("weight")) {
      flush();
      tpl.pieces_.push_back({Kind::kSizeForWeight, ""});
      tpl.uses_item_ |= vocabulary.catalogue;
    } else if (item_only != std::end(kItemOnly)) {
      flush();
      tpl.pieces_.push_back({item_only->second, ""});
      tpl.uses_item_ = tpl.item_only_ = true;
    } else if (is_item_fact(name) && (vocabulary.catalogue || fact == nullptr)) {
      flush();
      tpl.pieces_.push_back({Kind::kItemFact, std::string(name)});
      tpl.uses_item_ = true;
      tpl.item_only_ |= fact == nullptr;  // the shop cannot say it
    } else if (fact != nullptr && vocabulary.catalogue && vocabulary.overridden != nullptr &&
               vocabulary.overridden->contains(name)) {
      flush();
      tpl.pieces_.push_back({Kind::kFact, std::string(name)});
    } else if (name == kDeliveryDays) {
      flush();
      tpl.pieces_.push_back({Kind::kDeliveryDays, ""});
    } else if (name == kRegionOrDefault) {
      flush();
      tpl.pieces_.push_back({Kind::kRegionOrDefault, ""});
    } else if (fact != nullptr) {
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
                           std::string& out, const ItemView& item) const {
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
        const auto size = size_from_chart(piece.kind, facts, slots, item);
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
      case Kind::kItemFact:
      case Kind::kFact:
      case Kind::kStock:
      case Kind::kMeasure:
      case Kind::kColours:
      case Kind::kSizes: {
        const auto value = item_value(piece, facts, slots, item);
        if (!value) {
          out.resize(start);
          return false;
        }
        out += *value;
        break;
      }
    }
  }
  return true;
}

}  // namespace xiaoer::reply
