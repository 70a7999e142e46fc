// LiveStock: stock the shop's ERP has set over HTTP since the catalogue was
// written, an overlay on the catalogue's own stock.
//
// DESIGN
// An update names one item and one or more SKUs (a colour or a size left
// empty means all of them) and is applied whole: with() returns a new
// LiveStock and the old one is left as it was, so a reader holding a
// snapshot sees every SKU of an update or none. An entry applies to an item
// only while it is newer than the item's `updated_at`: a reload that
// brings a catalogue written after the update supersedes it.
//
// Thread safety: immutable; share freely.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/item.hpp"

namespace xiaoer::catalogue {

struct SkuStock {
  std::string colour;  // "" = every colour
  std::string size;    // "" = every size
  Stock stock;
  bool covers(const Sku& sku) const {
    return (colour.empty() || colour == sku.colour) && (size.empty() || size == sku.size);
  }
};

struct StockUpdate {
  std::string item;
  std::vector<SkuStock> skus;
  std::int64_t at_ms = 0;  // when it was accepted
};

class LiveStock {
 public:
  struct Entry {
    SkuStock sku;
    std::int64_t at_ms = 0;
  };

  // This overlay with `update` on top: entries it covers are dropped.
  std::shared_ptr<const LiveStock> with(const StockUpdate& update) const;

  // The stock of `sku` of `item` as the bot sees it: the last entry that
  // covers it and is newer than the item, else the catalogue's.
  Stock stock_of(const Item& item, const Sku& sku) const;

  // `item` with every SKU's stock as the bot sees it.
  Item applied_to(const Item& item) const;

  // Every entry, as updates (one per entry) in the order they apply: what
  // a compacted journal keeps.
  std::vector<StockUpdate> updates() const;

  std::size_t size() const;

 private:
  std::map<std::string, std::vector<Entry>, std::less<>> by_item_;
};

// The stock of `sku` with `live` applied (live may be null).
inline Stock stock_of(const Item& item, const Sku& sku, const LiveStock* live) {
  return live ? live->stock_of(item, sku) : sku.stock;
}

}  // namespace xiaoer::catalogue
