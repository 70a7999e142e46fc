// SizeChart: sizes by body (height and weight ranges) and by garment
// (measurements such as 胸围, 衣长, 袖长, 脚长), small to large. The shop's
// chart (config/shop.yaml) and each catalogue item's are this one type.
//
// Plain data; immutable once loaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xiaoer::catalogue {

struct SizeRow {
  std::string size;
  int height_min = 0, height_max = 0;  // cm, inclusive
  int weight_min = 0, weight_max = 0;  // kg, inclusive
  // Garment measurements in cm, as buyers name them ("袖长" → 62), in the
  // order written.
  std::vector<std::pair<std::string, double>> measurements;
};

struct SizeChart {
  std::vector<SizeRow> rows;  // small to large

  bool empty() const { return rows.empty(); }

  // The size for a body: the larger of the sizes that fit the height and the
  // weight, or nullopt when either is off the chart.
  std::optional<std::string> recommend(int height_cm, int weight_kg) const;

  // What the chart says for a height or a weight alone: every size whose
  // range holds it, joined by '/' ("M", "M/L"), or nullopt off the chart.
  std::optional<std::string> sizes_for_height(int height_cm) const;
  std::optional<std::string> sizes_for_weight(int weight_kg) const;

  // The row of `size`, compared without case ("xl" finds "XL"); null if none.
  const SizeRow* find(std::string_view size) const;

  // "袖长62cm" for one size, or every size's ("S码袖长60cm，M码袖长61cm");
  // nullopt when the chart has no such measurement (or no such size).
  std::optional<std::string> measurement(std::string_view size, std::string_view name) const;

  // The chart as one line a buyer can read: "S码 身高150-160cm 体重40-50kg
  // 胸围96cm；M码 …".
  std::string describe() const;
};

// The same, over rows held elsewhere (the shop's chart).
std::optional<std::string> recommend_size(const std::vector<SizeRow>& rows, int height_cm, int weight_kg);
std::optional<std::string> sizes_for_height(const std::vector<SizeRow>& rows, int height_cm);
std::optional<std::string> sizes_for_weight(const std::vector<SizeRow>& rows, int weight_kg);

// "M" → "M码"; "均码" stays as it is.
std::string size_label(std::string_view size);

// "62", "62.5": a measurement as written in a reply.
std::string format_cm(double value);

}  // namespace xiaoer::catalogue
