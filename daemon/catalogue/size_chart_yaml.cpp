#include "daemon/catalogue/size_chart_yaml.hpp"

#include <string>
#include <utility>

namespace xiaoer::catalogue {
namespace {

using common::YamlReader;

void read_measurements(YamlReader& reader, const YAML::Node& node, SizeRow& row) {
  if (!node.IsMap()) {
    reader.error(node, "cm must be a map of measurement → centimetres ({胸围: 96, 衣长: 64})");
    return;
  }
  for (const auto& entry : node) {
    double value = 0;
    if (!entry.second.IsScalar() || !YAML::convert<double>::decode(entry.second, value) || value <= 0 ||
        value > 1000) {
      reader.error(entry.second, "measurement '" + entry.first.Scalar() + "' must be a number of cm (0-1000)");
      continue;
    }
    row.measurements.emplace_back(entry.first.Scalar(), value);
  }
}

}  // namespace

std::vector<SizeRow> read_size_chart(YamlReader& reader, const YAML::Node& node, ChartFormat format) {
  SizeChart chart;
  if (!node.IsSequence()) {
    reader.error(node, "size_chart must be a list of rows");
    return {};
  }
  for (const auto& r : node) {
    const bool known = format.measurements
                           ? reader.check_map(r, "a size_chart row", {"size", "height_cm", "weight_kg", "cm"})
                           : reader.check_map(r, "a size_chart row", {"size", "height_cm", "weight_kg"});
    if (!known) continue;
    SizeRow row;
    if (!r["size"] || !reader.read_string(r["size"], "size", &row.size) || row.size.empty()) {
      reader.error(r, "size_chart row needs 'size'");
      continue;
    }
    if (chart.find(row.size) != nullptr) reader.error(r["size"], "size '" + row.size + "' is in the chart twice");
    const auto read_range = [&](const char* field, int* lo, int* hi) {
      if (const YAML::Node n = r[field]) {
        reader.read_int_range(n, field, 0, 1000, lo, hi);
      } else if (format.ranges_required) {
        reader.error(r, std::string("size_chart row needs '") + field + "': [min, max]");
      }
    };
    read_range("height_cm", &row.height_min, &row.height_max);
    read_range("weight_kg", &row.weight_min, &row.weight_max);
    if (const YAML::Node n = r["cm"]) read_measurements(reader, n, row);
    chart.rows.push_back(std::move(row));
  }
  return std::move(chart.rows);
}

}  // namespace xiaoer::catalogue
