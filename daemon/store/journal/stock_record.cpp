#include "daemon/store/journal/stock_record.hpp"

#include <nlohmann/json.hpp>

#include "daemon/common/json_fields.hpp"
#include "daemon/common/json_writer.hpp"

namespace xiaoer::store::records {
using common::string_field;
namespace {

constexpr std::string_view kPrefix = R"({"t":"stock",)";

}  // namespace

std::string stock(const catalogue::StockUpdate& update) {
  return common::typed_object("t", "stock", [&](common::JsonWriter& w) {
    w.field("item", update.item).key("at").value(update.at_ms).key("skus").begin_array();
    for (const catalogue::SkuStock& sku : update.skus) {
      w.begin_object()
          .field("colour", sku.colour)
          .field("size", sku.size)
          .field("status", catalogue::to_string(sku.stock.availability))
          .field("date", sku.stock.date)
          .end_object();
    }
    w.end_array();
  });
}

bool is_stock(std::string_view payload) { return payload.starts_with(kPrefix); }

std::optional<catalogue::StockUpdate> parse_stock(std::string_view payload, std::string* error) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
  const auto skus = j.is_object() ? j.find("skus") : j.end();
  const auto at = j.is_object() ? j.find("at") : j.end();
  if (!j.is_object() || skus == j.end() || !skus->is_array() || at == j.end() || !at->is_number_integer()) {
    *error = "record 'stock' is not {item, at, skus}";
    return std::nullopt;
  }
  catalogue::StockUpdate update;
  update.item = string_field(j, "item");
  update.at_ms = at->get<std::int64_t>();
  for (const auto& sku : *skus) {
    if (!sku.is_object()) continue;
    const auto availability = catalogue::parse_availability(string_field(sku, "status"));
    if (!availability) {
      *error = "record 'stock' for item " + update.item + " has an unknown status";
      return std::nullopt;
    }
    update.skus.push_back(
        {string_field(sku, "colour"), string_field(sku, "size"), {*availability, string_field(sku, "date")}});
  }
  if (update.item.empty() || update.skus.empty()) {
    *error = "record 'stock' without an item or SKUs";
    return std::nullopt;
  }
  return update;
}

}  // namespace xiaoer::store::records
