// The admin API's bodies (docs/catalogue.md): a stock update from the shop's
// ERP ⇄ JSON, and an item as the bot sees it → JSON. Never throws.
//
// Thread safety: stateless free functions.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/catalogue/item.hpp"
#include "daemon/catalogue/live_stock.hpp"

namespace xiaoer::proto {

// The body of POST /v1/items/{id}/stock: one SKU
//   {"colour": "黑色", "size": "M", "status": "out", "date": "2026-12-05"}
// (colour or size left out: all of them), or several at once, applied together
//   {"skus": [{…}, {…}]}
// The SKUs, or why the body is not one (a message for the 400).
std::variant<std::vector<catalogue::SkuStock>, std::string> decode_stock_request(std::string_view body);

// {"id", "title", "updated_at_ms", "facts": {…}, "colours": […], "sizes": […],
//  "size_chart": [{"size", "height_cm": [min, max], "weight_kg": [min, max],
//  "cm": {…}}], "skus": [{"colour", "size", "status", "date"}]}
std::string encode_item(const catalogue::Item& item);

// {"error": message}
std::string encode_api_error(std::string_view message);

}  // namespace xiaoer::proto
