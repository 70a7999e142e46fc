// read_catalogue_yaml(): a YAML file of items → the catalogue.
#include <yaml-cpp/yaml.h>

#include "daemon/catalogue/catalogue.hpp"
#include "daemon/catalogue/item_builder.hpp"
#include "daemon/catalogue/size_chart_yaml.hpp"
#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::catalogue {
namespace {

using common::YamlReader;

// Typed fields of an item that are facts a reply may name, and the
// placeholder each is known by.
constexpr std::pair<std::string_view, std::string_view> kFactFields[] = {
    {"title", "item_title"}, {"fabric", "fabric"},         {"fabric_desc", "fabric_desc"},
    {"care", "care"},        {"thickness", "thickness"},   {"elasticity", "elasticity"},
    {"cut", "cut"},          {"notes", "item_notes"},
};

constexpr std::string_view kItemFields[] = {"id",         "title", "fabric",     "fabric_desc", "care",
                                            "thickness",  "elasticity", "cut",   "notes",       "facts",
                                            "size_chart", "sizes", "colours",    "stock",       "updated_at"};

std::vector<std::string> read_names(YamlReader& reader, const YAML::Node& node, std::string_view what) {
  std::vector<std::string> out;
  for (auto& located : reader.read_string_list(node, what)) {
    if (located.text.empty()) {
      reader.error(node, std::string(what) + " has an empty name");
      continue;
    }
    out.push_back(std::move(located.text));
  }
  return out;
}

// `stock:` lists the SKUs that are not simply in stock.
void read_stock(YamlReader& reader, const YAML::Node& node, Item& item) {
  if (!node.IsSequence()) {
    reader.error(node, "stock must be a list of {colour, size, status, date}");
    return;
  }
  for (const auto& entry : node) {
    if (!reader.check_map(entry, "a stock entry", {"colour", "size", "status", "date"})) continue;
    SkuStock sku;
    if (const YAML::Node n = entry["colour"]) {
      if (reader.read_string(n, "colour", &sku.colour) && item.match_colour(sku.colour) == nullptr) {
        reader.error(n, "colour '" + sku.colour + "' is not one of the item's colours");
        continue;
      }
    }
    if (const YAML::Node n = entry["size"]) {
      if (reader.read_string(n, "size", &sku.size) && item.match_size(sku.size) == nullptr) {
        reader.error(n, "size '" + sku.size + "' is not one of the item's sizes");
        continue;
      }
    }
    std::string status, date;
    if (!entry["status"] || !reader.read_string(entry["status"], "status", &status)) {
      reader.error(entry, "stock entry needs 'status' (in, out or presale)");
      continue;
    }
    if (const YAML::Node n = entry["date"]) reader.read_string(n, "date", &date);
    std::string why;
    if (!make_stock(status, date, &sku.stock, &why)) {
      reader.error(entry["date"] && why.find("date") != std::string::npos ? entry["date"] : entry["status"], why);
      continue;
    }
    if (!sku.colour.empty()) sku.colour = *item.match_colour(sku.colour);
    if (!sku.size.empty()) sku.size = *item.match_size(sku.size);
    set_stock(item, sku);
  }
}

void read_item(YamlReader& reader, const YAML::Node& node, Catalogue& into, common::Diagnostics& diagnostics) {
  if (!reader.check_map(node, "an item", kItemFields)) return;
  Item item;
  item.where = reader.at(node);
  if (!node["id"] || !reader.read_string(node["id"], "id", &item.id) || item.id.empty()) {
    reader.error(node, "item needs 'id' (the platform's item id)");
    return;
  }
  for (const auto& [field, fact] : kFactFields) {
    const YAML::Node n = node[std::string(field)];
    if (!n) continue;
    std::string value;
    if (!reader.read_string(n, field, &value)) continue;
    item.facts[std::string(fact)] = value;
    item.fact_places[std::string(fact)] = reader.at(n);
  }
  if (const std::string* title = item.fact("item_title")) item.title = *title;
  if (const YAML::Node facts = node["facts"]) reader.read_facts(facts, item.facts, item.fact_places);
  if (const YAML::Node n = node["updated_at"]) {
    std::string text;
    if (reader.read_string(n, "updated_at", &text)) {
      if (const auto ms = parse_updated_at(text)) {
        item.updated_at_ms = *ms;
      } else {
        reader.error(n, "updated_at must be YYYY-MM-DD or YYYY-MM-DD HH:MM, not '" + text + "'");
      }
    }
  }
  if (const YAML::Node n = node["size_chart"]) item.chart.rows = read_size_chart(reader, n, {});
  for (const SizeRow& row : item.chart.rows) item.sizes.push_back(row.size);
  if (const YAML::Node n = node["sizes"]) {
    if (!item.chart.empty()) {
      reader.error(n, "sizes come from size_chart when the item has one");
    } else {
      item.sizes = read_names(reader, n, "sizes");
    }
  }
  if (const YAML::Node n = node["colours"]) item.colours = read_names(reader, n, "colours");
  expand_skus(item);
  if (const YAML::Node n = node["stock"]) read_stock(reader, n, item);
  add_item(into, std::move(item), diagnostics);
}

}  // namespace

void read_catalogue_yaml(const std::string& file_name, std::string_view text, Catalogue& into,
                         common::Diagnostics& diagnostics) {
  YamlReader reader(file_name, diagnostics);
  try {
    const std::optional<YAML::Node> root = reader.parse(text);
    if (!root || !reader.check_map(*root, "a catalogue file", {"items"})) return;
    const YAML::Node items = (*root)["items"];
    if (!items || !items.IsSequence()) {
      reader.error(*root, "a catalogue file is 'items:' and a list of items");
      return;
    }
    for (const auto& node : items) read_item(reader, node, into, diagnostics);
  } catch (const YAML::Exception& e) {
    diagnostics.push_back({{file_name, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
}

}  // namespace xiaoer::catalogue
