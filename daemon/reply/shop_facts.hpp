// ShopFacts: the shop's own data that replies are made of
// (config/shop.yaml, documented in docs/intents.md).
//
// Plain data; immutable once loaded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/size_chart.hpp"
#include "daemon/common/diagnostic.hpp"
#include "daemon/reply/emoji.hpp"

namespace xiaoer::reply {

using catalogue::SizeRow;

// Minutes after midnight, shop's local time; open == close means always.
struct BusinessHours {
  int open_minute = 9 * 60;
  int close_minute = 23 * 60;
};

struct ShopFacts {
  std::string name;
  std::map<std::string, std::string, std::less<>> facts;  // {key} in replies
  std::map<std::string, common::SourceLocation, std::less<>> fact_places;
  std::string default_days = "2-4";
  std::map<std::string, std::string, std::less<>> region_days;
  std::vector<SizeRow> size_chart;  // small to large
  BusinessHours business_hours;
  EmojiTable emoji;
  std::vector<std::string> banned_words;

  // The size for a body: the larger of the sizes that fit the height and the
  // weight (rows small to large), or nullopt when either is off the chart.
  std::optional<std::string> recommend_size(int height_cm, int weight_kg) const;

  // What the chart says for a height or a weight alone: every size whose
  // range holds it, joined by '/' ("M", "M/L"), or nullopt off the chart.
  std::optional<std::string> sizes_for_height(int height_cm) const;
  std::optional<std::string> sizes_for_weight(int weight_kg) const;

  // Delivery days to `region`, or the default when it has none.
  const std::string& delivery_days(std::string_view region) const;
};

struct LoadedShopFacts {
  ShopFacts facts;
  common::Diagnostics diagnostics;
};

// Reads `path`. Errors name file:line:col; fact values are checked for
// compliance against the built-in rules and the file's own banned_words.
LoadedShopFacts load_shop_facts(const std::string& path);
LoadedShopFacts load_shop_facts_source(const std::string& file_name, std::string_view text);

}  // namespace xiaoer::reply
