#include "daemon/catalogue/size_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace xiaoer::catalogue {
namespace {

bool same_size(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

template <typename Holds>
std::optional<std::string> sizes_where(const std::vector<SizeRow>& rows, Holds holds) {
  std::string sizes;
  for (const SizeRow& row : rows) {
    if (!holds(row)) continue;
    if (!sizes.empty()) sizes += '/';
    sizes += row.size;
  }
  if (sizes.empty()) return std::nullopt;
  return sizes;
}

const double* measurement_of(const SizeRow& row, std::string_view name) {
  for (const auto& [key, value] : row.measurements) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace

std::string size_label(std::string_view size) {
  constexpr std::string_view kSizeWord = "码";
  return size.ends_with(kSizeWord) ? std::string(size) : std::string(size) + std::string(kSizeWord);
}

std::string format_cm(double value) {
  char buffer[32];
  if (std::abs(value - std::round(value)) < 1e-9) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
  }
  return buffer;
}

std::optional<std::string> recommend_size(const std::vector<SizeRow>& rows, int height_cm, int weight_kg) {
  int by_height = -1, by_weight = -1;
  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const SizeRow& row = rows[i];
    if (by_height < 0 && height_cm >= row.height_min && height_cm <= row.height_max) by_height = i;
    if (by_weight < 0 && weight_kg >= row.weight_min && weight_kg <= row.weight_max) by_weight = i;
  }
  if (by_height < 0 || by_weight < 0) return std::nullopt;
  return rows[std::max(by_height, by_weight)].size;
}

std::optional<std::string> sizes_for_height(const std::vector<SizeRow>& rows, int height_cm) {
  return sizes_where(rows, [&](const SizeRow& r) { return height_cm >= r.height_min && height_cm <= r.height_max; });
}

std::optional<std::string> sizes_for_weight(const std::vector<SizeRow>& rows, int weight_kg) {
  return sizes_where(rows, [&](const SizeRow& r) { return weight_kg >= r.weight_min && weight_kg <= r.weight_max; });
}

std::optional<std::string> SizeChart::recommend(int height_cm, int weight_kg) const {
  return recommend_size(rows, height_cm, weight_kg);
}

std::optional<std::string> SizeChart::sizes_for_height(int height_cm) const {
  return catalogue::sizes_for_height(rows, height_cm);
}

std::optional<std::string> SizeChart::sizes_for_weight(int weight_kg) const {
  return catalogue::sizes_for_weight(rows, weight_kg);
}

const SizeRow* SizeChart::find(std::string_view size) const {
  for (const SizeRow& row : rows) {
    if (same_size(row.size, size)) return &row;
  }
  return nullptr;
}

std::optional<std::string> SizeChart::measurement(std::string_view size, std::string_view name) const {
  if (!size.empty()) {
    const SizeRow* row = find(size);
    const double* value = row ? measurement_of(*row, name) : nullptr;
    if (value == nullptr) return std::nullopt;
    return size_label(row->size) + std::string(name) + format_cm(*value) + "cm";
  }
  std::string out;
  for (const SizeRow& row : rows) {
    const double* value = measurement_of(row, name);
    if (value == nullptr) continue;
    if (!out.empty()) out += "，";
    out += size_label(row.size) + std::string(name) + format_cm(*value) + "cm";
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string SizeChart::describe() const {
  std::string out;
  for (const SizeRow& row : rows) {
    if (!out.empty()) out += "；";
    out += size_label(row.size);
    if (row.height_max > 0) {
      out += " 身高" + std::to_string(row.height_min) + "-" + std::to_string(row.height_max) + "cm";
    }
    if (row.weight_max > 0) {
      out += " 体重" + std::to_string(row.weight_min) + "-" + std::to_string(row.weight_max) + "kg";
    }
    for (const auto& [name, value] : row.measurements) out += " " + name + format_cm(value) + "cm";
  }
  return out;
}

}  // namespace xiaoer::catalogue
