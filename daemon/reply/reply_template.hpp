// ReplyTemplate: a reply with {placeholders}, parsed and resolved once.
//
// Shop facts are known when a template is compiled, so they are folded into
// its literal text; what is left for render() is emoji cues (per channel),
// slot values and the values derived from them (a size from the chart,
// delivery days to a region), and the facts of the buyer's item.
//
// Items (docs/catalogue.md): the facts of kItemFacts, the size chart and
// the item-only placeholders ({stock}, {measure}, {colours}, {sizes}) come
// from the message's item. Without a catalogue, an item fact the shop has
// is folded in as before (the shop's facts serve as its one item's); one it
// lacks, and every item-only placeholder, renders only with an item. With
// a catalogue, they all render only with an item, and any other fact an
// item overrides is looked up in the item first, then the shop.
//
// Thread safety: immutable; share freely.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/item.hpp"
#include "daemon/catalogue/live_stock.hpp"
#include "daemon/common/slot_map.hpp"
#include "daemon/reply/emoji.hpp"
#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::reply {

// The facts that belong to an item, not to the shop.
bool is_item_fact(std::string_view name);

// The message's item as a reply sees it; item null when none is known.
struct ItemView {
  const catalogue::Item* item = nullptr;
  const catalogue::LiveStock* live = nullptr;  // the ERP's updates, may be null
};

class ReplyTemplate {
 public:
  // What a placeholder may name, besides emoji cues and shop facts.
  struct Vocabulary {
    const ShopFacts* facts = nullptr;
    std::vector<std::string> slots;  // the intent's slot names
    bool catalogue = false;  // a catalogue is configured: item facts come from the item
    // With a catalogue: the shop facts some item overrides (looked up at render).
    const std::set<std::string, std::less<>>* overridden = nullptr;
  };

  // What a piece of a compiled template is.
  enum class Kind {
    kLiteral, kCue, kSlot, kSize, kSizeForHeight, kSizeForWeight, kDeliveryDays, kRegionOrDefault,
    kItemFact,  // the item's fact `text`
    kFact,      // the item's fact `text`, else the shop's
    kStock, kMeasure, kColours, kSizes,
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
  bool render(const ShopFacts& facts, const common::SlotMap& slots, const CueTexts& cues, std::string& out,
              const ItemView& item = {}) const;

  const std::string& source() const { return source_; }
  // Renders only with an item (see above).
  bool uses_item() const { return uses_item_; }
  // Says what only an item can tell ({stock}, {measure}, …): a variant to
  // prefer when the item is known, never said without one.
  bool item_only() const { return item_only_; }

 private:
  struct Piece {
    Kind kind;
    std::string text;  // literal text, slot or fact name
    Cue cue = Cue::kSmile;
  };

  // The size a {size}, {size_for_height} or {size_for_weight} piece stands
  // for, or nullopt when a slot is missing or the body is off the chart.
  std::optional<std::string> size_from_chart(Kind kind, const ShopFacts& facts, const common::SlotMap& slots,
                                             const ItemView& item) const;
  // The value of an item piece, or nullopt when it has none.
  static std::optional<std::string> item_value(const Piece& piece, const ShopFacts& facts,
                                               const common::SlotMap& slots, const ItemView& item);

  std::string source_;
  std::vector<Piece> pieces_;
  bool chart_of_item_ = false;  // compiled with a catalogue: {size} reads the item's chart
  bool uses_item_ = false;
  bool item_only_ = false;
};

}  // namespace xiaoer::reply
