#include "daemon/catalogue/catalogue.hpp"

#include <algorithm>
#include <filesystem>

#include "daemon/catalogue/item_builder.hpp"
#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::catalogue {

std::size_t Catalogue::skus() const {
  std::size_t n = 0;
  for (const auto& [id, item] : items) n += item.skus.size();
  return n;
}

void expand_skus(Item& item) {
  for (const std::string& colour : item.colours) {
    for (const std::string& size : item.sizes) item.skus.push_back({colour, size, {}});
  }
}

void set_stock(Item& item, const SkuStock& sku) {
  for (Sku& s : item.skus) {
    if (sku.covers(s)) s.stock = sku.stock;
  }
}

void add_item(Catalogue& into, Item item, common::Diagnostics& diagnostics) {
  if (const Item* earlier = into.find(item.id)) {
    diagnostics.push_back({item.where, "item '" + item.id + "' is also at " + earlier->where.to_string()});
    return;
  }
  if (!item.chart.empty() && !item.fact("size_table")) item.facts["size_table"] = item.chart.describe();
  if (const std::string* cut = item.fact("cut"); cut && !item.fact("size_fit")) {
    item.facts["size_fit"] = "这款是" + *cut + "版型";
  }
  std::string id = item.id;
  into.items.emplace(std::move(id), std::move(item));
}

LoadedCatalogue load_catalogue(const std::string& path) {
  LoadedCatalogue loaded;
  namespace fs = std::filesystem;
  std::vector<fs::path> yaml, csv;
  const auto add = [&](const fs::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".yaml" || ext == ".yml") yaml.push_back(file);
    if (ext == ".csv") csv.push_back(file);
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file()) add(entry.path());
    }
  } else {
    add(path);
  }
  if (ec) {
    loaded.diagnostics.push_back({{path, 0, 0}, "cannot read the catalogue: " + ec.message()});
    return loaded;
  }
  if (yaml.empty() && csv.empty()) {
    loaded.diagnostics.push_back({{path, 0, 0}, "no catalogue files (*.yaml, *.csv)"});
    return loaded;
  }
  std::sort(yaml.begin(), yaml.end());
  std::sort(csv.begin(), csv.end());
  // YAML first: CSV rows may give the stock of items written in YAML.
  for (const auto& [files, reader] : {std::pair{&yaml, &read_catalogue_yaml}, std::pair{&csv, &read_catalogue_csv}}) {
    for (const fs::path& file : *files) {
      std::string text;
      if (!common::read_file(file.string(), &text)) {
        loaded.diagnostics.push_back({{file.string(), 0, 0}, "cannot read catalogue file"});
        continue;
      }
      reader(file.string(), text, loaded.catalogue, loaded.diagnostics);
    }
  }
  return loaded;
}

}  // namespace xiaoer::catalogue
