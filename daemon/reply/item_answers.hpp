// What a reply says about an item's stock and measurements: the values of
// the {stock} and {measure} placeholders.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/catalogue/item.hpp"
#include "daemon/catalogue/live_stock.hpp"

namespace xiaoer::reply {

// The stock of what the buyer asked, live updates applied (`live` may be
// null): one SKU ("黑色M有现货", "黑色M暂时缺货，预计12月5日补货", "黑色M是
// 预售，预计12月10日发货"), one colour's or one size's SKUs, or the whole
// item when neither is asked ("" for either). A colour or size the item
// does not have is said so, with what it has. nullopt when the item has no
// SKUs.
std::optional<std::string> stock_answer(const catalogue::Item& item, const catalogue::LiveStock* live,
                                        std::string_view colour, std::string_view size);

// A garment measurement from the item's chart: of `size` ("L码袖长62cm"),
// or of every size when `size` is ""; nullopt when the chart lacks it.
std::optional<std::string> measure_answer(const catalogue::Item& item, std::string_view size,
                                          std::string_view measurement);

}  // namespace xiaoer::reply
