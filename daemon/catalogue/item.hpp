// Item: what the shop knows of one item it sells (商品知识), keyed by the
// platform's item id: its facts (fabric, care, thickness, elasticity, cut,
// …), its own size chart, and its colours × sizes with their stock.
//
// Plain data; immutable once loaded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/size_chart.hpp"
#include "daemon/common/diagnostic.hpp"

namespace xiaoer::catalogue {

enum class Availability { kInStock, kOut, kPreSale };

struct Stock {
  Availability availability = Availability::kInStock;
  // ISO date (YYYY-MM-DD): the restock date when out, the dispatch date of
  // a pre-sale; "" when not known (an out SKU without a restock date).
  std::string date;
  bool operator==(const Stock&) const = default;
};

struct Sku {
  std::string colour, size;
  Stock stock;
};

struct Item {
  std::string id;
  std::string title;
  // Facts a reply may name ({fabric}, {care}, …): the item's typed fields
  // and its `facts:` map, plus `size_table` written from its chart.
  std::map<std::string, std::string, std::less<>> facts;
  std::map<std::string, common::SourceLocation, std::less<>> fact_places;
  SizeChart chart;
  std::vector<std::string> colours;  // as written
  std::vector<std::string> sizes;    // the chart's, or the SKUs' when it has none
  std::vector<Sku> skus;
  // When the item's data was last changed (ms since the epoch; 0: not
  // said). A live stock update older than this no longer applies.
  std::int64_t updated_at_ms = 0;
  common::SourceLocation where;

  const std::string* fact(std::string_view name) const;
  const Sku* find_sku(std::string_view colour, std::string_view size) const;

  // The item's colour a buyer means by `asked` ("黑" or "黑色" → "黑色"), or
  // null when it has none (or more than one that could be meant).
  const std::string* match_colour(std::string_view asked) const;
  // The item's size for `asked`, without case ("xl" → "XL"), or null.
  const std::string* match_size(std::string_view asked) const;
};

// "2026-12-05" → "12月5日": a date as said to a buyer.
std::string spoken_date(std::string_view iso_date);

// Whether `text` is a date YYYY-MM-DD.
bool is_iso_date(std::string_view text);

// "2026-11-20", "2026-11-20 14:30" or "2026-11-20T14:30:00", read as China
// Standard Time (UTC+8), in ms since the epoch; nullopt when not one.
std::optional<std::int64_t> parse_updated_at(std::string_view text);

// The stock `status` and `date` say; false with `why` when they do not
// (an unknown status, a date that is not YYYY-MM-DD, a pre-sale without
// its dispatch date, a date on an in-stock SKU).
bool make_stock(std::string_view status, std::string_view date, Stock* out, std::string* why);

std::string_view to_string(Availability availability);
// "in" / "out" / "presale", or 现货 / 缺货 / 预售.
std::optional<Availability> parse_availability(std::string_view text);

}  // namespace xiaoer::catalogue
