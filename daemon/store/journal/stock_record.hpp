// The journal's live stock record (catalogue/live_stock.hpp):
//
//   stock  {item, at, skus: [{colour, size, status, date}]}   an update from
//          the shop's ERP ("" colour or size: all of them), as accepted
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/catalogue/live_stock.hpp"

namespace xiaoer::store::records {

std::string stock(const catalogue::StockUpdate& update);

// Whether `payload` is a stock record (cheap: its type is written first).
bool is_stock(std::string_view payload);

// nullopt (with `error`) when it is not a well-formed stock record.
std::optional<catalogue::StockUpdate> parse_stock(std::string_view payload, std::string* error);

}  // namespace xiaoer::store::records
