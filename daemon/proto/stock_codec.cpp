#include "daemon/proto/stock_codec.hpp"

#include <nlohmann/json.hpp>

#include "daemon/common/json_writer.hpp"
#include "daemon/common/utf8.hpp"

namespace xiaoer::proto {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxSkus = 1000;

// A string field ("" when absent or null); false when another type.
bool string_field(const json& object, const char* key, std::string* out) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

std::variant<catalogue::SkuStock, std::string> decode_sku(const json& object) {
  if (!object.is_object()) return std::string("a SKU must be an object {colour, size, status, date}");
  catalogue::SkuStock sku;
  std::string status, date;
  for (const auto& [key, out] : {std::pair{"colour", &sku.colour}, std::pair{"size", &sku.size},
                                 std::pair{"status", &status}, std::pair{"date", &date}}) {
    if (!string_field(object, key, out)) {
      // Appended, not "'" + key: GCC 12 warns falsely (-Wrestrict) on that.
      std::string why(key);
      why.append(" must be a string");
      return why;
    }
  }
  std::string why;
  if (!catalogue::make_stock(status, date, &sku.stock, &why)) return why;
  return sku;
}

}  // namespace

std::variant<std::vector<catalogue::SkuStock>, std::string> decode_stock_request(std::string_view body) {
  if (!common::is_valid_utf8(body)) return std::string("the body is not valid UTF-8");
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::string("the body must be a JSON object");
  std::vector<catalogue::SkuStock> skus;
  const auto list = j.find("skus");
  if (list == j.end()) {
    auto one = decode_sku(j);
    if (auto* error = std::get_if<std::string>(&one)) return *error;
    skus.push_back(std::get<catalogue::SkuStock>(std::move(one)));
    return skus;
  }
  if (!list->is_array() || list->empty() || list->size() > kMaxSkus) {
    return std::string("'skus' must be a list of 1 to 1000 SKUs");
  }
  for (const json& entry : *list) {
    auto sku = decode_sku(entry);
    if (auto* error = std::get_if<std::string>(&sku)) return *error;
    skus.push_back(std::get<catalogue::SkuStock>(std::move(sku)));
  }
  return skus;
}

std::string encode_item(const catalogue::Item& item) {
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().field("id", item.id).field("title", item.title).key("updated_at_ms").value(item.updated_at_ms);
  w.key("facts").begin_object();
  for (const auto& [name, value] : item.facts) w.field(name, value);
  w.end_object().key("colours").begin_array();
  for (const std::string& colour : item.colours) w.value(colour);
  w.end_array().key("sizes").begin_array();
  for (const std::string& size : item.sizes) w.value(size);
  w.end_array().key("size_chart").begin_array();
  for (const catalogue::SizeRow& row : item.chart.rows) {
    w.begin_object().field("size", row.size);
    w.key("height_cm").begin_array().value(row.height_min).value(row.height_max).end_array();
    w.key("weight_kg").begin_array().value(row.weight_min).value(row.weight_max).end_array();
    w.key("cm").begin_object();
    for (const auto& [name, value] : row.measurements) w.key(name).value(value);
    w.end_object().end_object();
  }
  w.end_array().key("skus").begin_array();
  for (const catalogue::Sku& sku : item.skus) {
    w.begin_object()
        .field("colour", sku.colour)
        .field("size", sku.size)
        .field("status", catalogue::to_string(sku.stock.availability))
        .field("date", sku.stock.date)
        .end_object();
  }
  w.end_array().end_object();
  return out;
}

std::string encode_api_error(std::string_view message) {
  std::string out;
  common::JsonWriter(out).begin_object().field("error", message).end_object();
  return out;
}

}  // namespace xiaoer::proto
