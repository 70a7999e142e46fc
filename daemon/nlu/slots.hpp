// Slots: values taken from a buyer's text (height, weight, region, order).
//
// The built-in extractors understand the units buyers use; they are pure
// functions of the normalised text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/common/slot_map.hpp"

namespace xiaoer::nlu {

using common::SlotMap;

// Height and weight from a text such as "身高165体重110斤", "1米65 55kg",
// "一米七 一百二十斤" or, when `bare_numbers` is set, "165 110" (a bare
// height is 140–210). Heights are in centimetres (100–230), weights in
// kilograms (25–200, 斤 halved, rounded). Bare numbers fill only what
// `known` (told in earlier messages) lacks: after a height, "110" is a
// weight.
struct Body {
  std::optional<int> height_cm;
  std::optional<int> weight_kg;
};
Body extract_body(std::string_view normalized, bool bare_numbers, const Body& known = {});

// An order number: 10 or more digits in a row, or the "[订单x]" token of
// anonymised logs.
std::optional<std::string> extract_order_no(std::string_view normalized);

}  // namespace xiaoer::nlu
