// Catalogue: every item the shop has described, by platform item id, and
// the loader that reads them from a directory of YAML and CSV files
// (docs/catalogue.md).
//
// Thread safety: immutable once loaded; share freely.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "daemon/catalogue/item.hpp"
#include "daemon/common/diagnostic.hpp"

namespace xiaoer::catalogue {

struct Catalogue {
  std::map<std::string, Item, std::less<>> items;

  const Item* find(std::string_view id) const {
    const auto it = items.find(id);
    return it == items.end() ? nullptr : &it->second;
  }
  std::size_t skus() const;
};

struct LoadedCatalogue {
  Catalogue catalogue;
  common::Diagnostics diagnostics;  // errors name file:line:col
};

// `path` is a directory (every *.yaml, *.yml and *.csv in it, by name) or
// one such file. An item may be written whole in YAML, or given by CSV rows
// (one per SKU); CSV rows for an item of a YAML file give that item's stock.
LoadedCatalogue load_catalogue(const std::string& path);

// One file's text, added to `into` (tests, and load_catalogue itself).
void read_catalogue_yaml(const std::string& file_name, std::string_view text, Catalogue& into,
                         common::Diagnostics& diagnostics);
void read_catalogue_csv(const std::string& file_name, std::string_view text, Catalogue& into,
                        common::Diagnostics& diagnostics);

}  // namespace xiaoer::catalogue
