// Reads a size chart written in YAML: the shop's (config/shop.yaml) and
// each catalogue item's are one format, so one reader.
//
//   size_chart:
//     - {size: M, height_cm: [160, 170], weight_kg: [50, 60], cm: {胸围: 96}}
#pragma once

#include <yaml-cpp/yaml.h>

#include <vector>

#include "daemon/catalogue/size_chart.hpp"
#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::catalogue {

struct ChartFormat {
  // The shop's chart answers "which size for me" alone: each row needs both
  // ranges. An item's may give only garment measurements.
  bool ranges_required = false;
  // Garment measurements (`cm`): an item's only (the shop-wide chart has no
  // garment to measure).
  bool measurements = true;
};

// The rows of `node` (a list), small to large as written; every problem is
// reported through `reader` and its row skipped or its field left out.
std::vector<SizeRow> read_size_chart(common::YamlReader& reader, const YAML::Node& node, ChartFormat format);

}  // namespace xiaoer::catalogue
