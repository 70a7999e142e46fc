// ReplyTemplate: a reply with {placeholders}, parsed and resolved once.
//
// Shop facts are known when a template is compiled, so they are folded into
// its literal text; what is left for render() is emoji cues (per channel),
// slot values and the values derived from them (a size from the chart,
// delivery days to a region).
//
// Thread safety: immutable; share freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/slot_map.hpp"
#include "daemon/reply/emoji.hpp"
#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::reply {

class ReplyTemplate {
 public:
  // What a placeholder may name, besides emoji cues and shop facts.
  struct Vocabulary {
    const ShopFacts* facts = nullptr;
    std::vector<std::string> slots;  // the intent's slot names
  };

  struct Error {
    std::string message;
    std::size_t offset = 0;  // byte offset in the source
  };

  // Parses `source`. `{{` and `}}` are literal braces; an unknown or empty
  // placeholder, or a lone brace, is an error.
  static std::optional<ReplyTemplate> compile(std::string_view source, const Vocabulary& vocabulary,
                                              Error* error);

  // Appends the reply to `out`. Returns false (and leaves `out` unchanged)
  // when a slot it needs is missing or no size fits the body.
  bool render(const ShopFacts& facts, const common::SlotMap& slots, const CueTexts& cues,
              std::string& out) const;

  const std::string& source() const { return source_; }

 private:
  enum class Kind { kLiteral, kCue, kSlot, kSize, kSizeForHeight, kSizeForWeight, kDeliveryDays, kRegionOrDefault };
  struct Piece {
    Kind kind;
    std::string text;  // literal text or slot name
    Cue cue = Cue::kSmile;
  };

  // The size a {size}, {size_for_height} or {size_for_weight} piece stands
  // for, or nullopt when a slot is missing or the body is off the chart.
  static std::optional<std::string> size_from_chart(Kind kind, const ShopFacts& facts, const common::SlotMap& slots);

  std::string source_;
  std::vector<Piece> pieces_;
};

}  // namespace xiaoer::reply
