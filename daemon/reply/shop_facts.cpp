#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::reply {

std::optional<std::string> ShopFacts::recommend_size(int height_cm, int weight_kg) const {
  int by_height = -1, by_weight = -1;
  for (int i = 0; i < static_cast<int>(size_chart.size()); ++i) {
    const SizeRow& row = size_chart[i];
    if (by_height < 0 && height_cm >= row.height_min && height_cm <= row.height_max) by_height = i;
    if (by_weight < 0 && weight_kg >= row.weight_min && weight_kg <= row.weight_max) by_weight = i;
  }
  if (by_height < 0 || by_weight < 0) return std::nullopt;
  return size_chart[std::max(by_height, by_weight)].size;
}

const std::string& ShopFacts::delivery_days(std::string_view region) const {
  const auto it = region_days.find(region);
  return it == region_days.end() ? default_days : it->second;
}

}  // namespace xiaoer::reply
