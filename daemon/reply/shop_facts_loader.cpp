// load_shop_facts(): config/shop.yaml → ShopFacts.
#include <cstdio>

#include "daemon/catalogue/size_chart_yaml.hpp"
#include "daemon/common/yaml_reader.hpp"
#include "daemon/reply/compliance.hpp"
#include "daemon/reply/shop_facts.hpp"

namespace xiaoer::reply {
namespace {

using common::YamlReader;

bool parse_clock(std::string_view text, int* minutes) {
  int h = 0, m = 0;
  char tail = 0;
  if (std::sscanf(std::string(text).c_str(), "%d:%d%c", &h, &m, &tail) != 2) return false;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return false;
  *minutes = h * 60 + m;
  return true;
}

void read_emoji(YamlReader& reader, const YAML::Node& node, ShopFacts& shop) {
  if (!node.IsMap()) {
    reader.error(node, "emoji must be a map of channel → {cue: text}");
    return;
  }
  std::map<std::string, std::map<Cue, std::string>> channels;
  for (const auto& channel : node) {
    if (!channel.second.IsMap()) {
      reader.error(channel.second, "emoji of channel '" + channel.first.Scalar() + "' must be a map");
      continue;
    }
    for (const auto& cue : channel.second) {
      const auto parsed = parse_cue(cue.first.Scalar());
      if (!parsed) {
        reader.error(cue.first, "unknown emoji cue '" + cue.first.Scalar() +
                                    "' (known: smile, heart, sorry, thanks, rose)");
        continue;
      }
      std::string text;
      if (reader.read_string(cue.second, "emoji text", &text)) channels[channel.first.Scalar()][*parsed] = text;
    }
  }
  shop.emoji = EmojiTable(channels);
}

void read_delivery(YamlReader& reader, const YAML::Node& node, ShopFacts& shop) {
  if (!reader.check_map(node, "delivery", {"default_days", "regions"})) return;
  if (const YAML::Node n = node["default_days"]) reader.read_string(n, "default_days", &shop.default_days);
  if (const YAML::Node regions = node["regions"]) {
    if (!regions.IsMap()) {
      reader.error(regions, "delivery.regions must be a map of region → days");
      return;
    }
    for (const auto& entry : regions) {
      std::string days;
      if (reader.read_string(entry.second, "delivery days", &days)) shop.region_days[entry.first.Scalar()] = days;
    }
  }
}

void read_hours(YamlReader& reader, const YAML::Node& node, ShopFacts& shop) {
  if (!reader.check_map(node, "business_hours", {"open", "close"})) return;
  for (const auto& [field, target] : {std::pair{"open", &shop.business_hours.open_minute},
                                      std::pair{"close", &shop.business_hours.close_minute}}) {
    std::string text;
    const YAML::Node n = node[field];
    if (!n) {
      reader.error(node, std::string("business_hours needs '") + field + "'");
    } else if (reader.read_string(n, field, &text) && !parse_clock(text, target)) {
      reader.error(n, std::string(field) + " must be HH:MM, not '" + text + "'");
    }
  }
}

}  // namespace

LoadedShopFacts load_shop_facts_source(const std::string& file_name, std::string_view text) {
  LoadedShopFacts loaded;
  ShopFacts& shop = loaded.facts;
  YamlReader reader(file_name, loaded.diagnostics);
  try {
    const std::optional<YAML::Node> root = reader.parse(text);
    if (!root) return loaded;
    if (!reader.check_map(*root, "shop facts",
                          {"name", "facts", "delivery", "size_chart", "business_hours", "emoji", "banned_words"})) {
      return loaded;
    }
    if (const YAML::Node n = (*root)["name"]) reader.read_string(n, "name", &shop.name);
    if (const YAML::Node n = (*root)["banned_words"]) {
      for (auto& word : reader.read_string_list(n, "banned_words")) shop.banned_words.push_back(word.text);
    }
    if (const YAML::Node facts = (*root)["facts"]) reader.read_facts(facts, shop.facts, shop.fact_places);
    if (const YAML::Node n = (*root)["delivery"]) read_delivery(reader, n, shop);
    if (const YAML::Node n = (*root)["size_chart"]) {
      shop.size_chart = catalogue::read_size_chart(reader, n, {.ranges_required = true, .measurements = false});
    }
    if (const YAML::Node n = (*root)["business_hours"]) read_hours(reader, n, shop);
    if (const YAML::Node n = (*root)["emoji"]) read_emoji(reader, n, shop);
  } catch (const YAML::Exception& e) {
    loaded.diagnostics.push_back({{file_name, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  const Compliance compliance(shop.banned_words);
  for (const auto& [key, value] : shop.facts) {
    if (auto why = compliance.violation(value)) {
      loaded.diagnostics.push_back({shop.fact_places[key], "fact '" + key + "' " + *why});
    }
  }
  return loaded;
}

LoadedShopFacts load_shop_facts(const std::string& path) {
  std::string text;
  if (!common::read_file(path, &text)) {
    LoadedShopFacts loaded;
    loaded.diagnostics.push_back({{path, 0, 0}, "cannot read shop facts file"});
    return loaded;
  }
  return load_shop_facts_source(path, text);
}

}  // namespace xiaoer::reply
