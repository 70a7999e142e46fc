#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::reply {

std::optional<std::string> ShopFacts::recommend_size(int height_cm, int weight_kg) const {
  return catalogue::recommend_size(size_chart, height_cm, weight_kg);
}

std::optional<std::string> ShopFacts::sizes_for_height(int height_cm) const {
  return catalogue::sizes_for_height(size_chart, height_cm);
}

std::optional<std::string> ShopFacts::sizes_for_weight(int weight_kg) const {
  return catalogue::sizes_for_weight(size_chart, weight_kg);
}

const std::string& ShopFacts::delivery_days(std::string_view region) const {
  const auto it = region_days.find(region);
  return it == region_days.end() ? default_days : it->second;
}

}  // namespace xiaoer::reply
