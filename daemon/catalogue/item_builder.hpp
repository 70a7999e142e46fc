// The steps the YAML and CSV readers share to build an item (internal to
// the catalogue layer).
#pragma once

#include <string>
#include <string_view>

#include "daemon/catalogue/catalogue.hpp"
#include "daemon/catalogue/live_stock.hpp"

namespace xiaoer::catalogue {

// Every colour × size of the item, in stock (an item without colours or
// sizes has none).
void expand_skus(Item& item);

// Sets the stock of every SKU `sku` covers.
void set_stock(Item& item, const SkuStock& sku);

// Adds `item` with the facts its chart and cut imply (size_table,
// size_fit); an id already in the catalogue is an error naming both places.
void add_item(Catalogue& into, Item item, common::Diagnostics& diagnostics);

}  // namespace xiaoer::catalogue
