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

namespace {

template <typename Holds>
std::optional<std::string> sizes_where(const std::vector<SizeRow>& chart, Holds holds) {
  std::string sizes;
  for (const SizeRow& row : chart) {
    if (!holds(row)) continue;
    if (!sizes.empty()) sizes += '/';
    sizes += row.size;
  }
  if (sizes.empty()) return std::nullopt;
  return sizes;
}

}  // namespace

std::optional<std::string> ShopFacts::sizes_for_height(int height_cm) const {
  return sizes_where(size_chart, [&](const SizeRow& r) { return height_cm >= r.height_min && height_cm <= r.height_max; });
}

std::optional<std::string> ShopFacts::sizes_for_weight(int weight_kg) const {
  return sizes_where(size_chart, [&](const SizeRow& r) { return weight_kg >= r.weight_min && weight_kg <= r.weight_max; });
}

const std::string& ShopFacts::delivery_days(std::string_view region) const {
  const auto it = region_days.find(region);
  return it == region_days.end() ? default_days : it->second;
}

}  // namespace xiaoer::reply
