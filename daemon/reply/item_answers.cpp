#include "daemon/reply/item_answers.hpp"

#include <algorithm>
#include <vector>

namespace xiaoer::reply {
namespace {

using catalogue::Availability;
using catalogue::Stock;

std::string state_of(const Stock& stock, bool brief) {
  switch (stock.availability) {
    case Availability::kInStock:
      return "有现货";
    case Availability::kOut:
      if (stock.date.empty()) return brief ? "暂时缺货" : "暂时缺货，补货时间还没有确定";
      return brief ? "暂时缺货（预计" + catalogue::spoken_date(stock.date) + "补货）"
                   : "暂时缺货，预计" + catalogue::spoken_date(stock.date) + "补货";
    case Availability::kPreSale:
      return brief ? "是预售（预计" + catalogue::spoken_date(stock.date) + "发货）"
                   : "是预售，预计" + catalogue::spoken_date(stock.date) + "发货";
  }
  return "";
}

// "S/M有现货，L暂时缺货（预计12月5日补货）": labels with the same stock
// said together, in order.
std::string grouped(const std::vector<std::pair<std::string, Stock>>& labelled) {
  std::vector<std::pair<std::string, Stock>> groups;
  for (const auto& [label, stock] : labelled) {
    bool joined = false;
    for (auto& group : groups) {
      if (group.second == stock) {
        group.first += "/" + label;
        joined = true;
        break;
      }
    }
    if (!joined) groups.emplace_back(label, stock);
  }
  std::string out;
  for (const auto& [labels, stock] : groups) {
    if (!out.empty()) out += "，";
    out += labels + state_of(stock, true);
  }
  return out;
}

// A colour as the buyer named it, said as a colour: "紫" → "紫色"
// (patterns and prints stay as they are).
std::string colour_name(std::string_view asked) {
  constexpr std::string_view kNotColours[] = {"花", "条纹", "格子"};
  std::string out(asked);
  const bool pattern = std::find(std::begin(kNotColours), std::end(kNotColours), asked) != std::end(kNotColours);
  if (!asked.ends_with("色") && !pattern) out += "色";
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : "、") + name;
  return out;
}

}  // namespace

std::optional<std::string> stock_answer(const catalogue::Item& item, const catalogue::LiveStock* live,
                                        std::string_view colour_asked, std::string_view size_asked) {
  if (item.skus.empty()) return std::nullopt;
  const std::string* colour = colour_asked.empty() ? nullptr : item.match_colour(colour_asked);
  const std::string* size = size_asked.empty() ? nullptr : item.match_size(size_asked);
  if (!colour_asked.empty() && colour == nullptr) {
    return "这款没有" + colour_name(colour_asked) + "，颜色有" + joined(item.colours);
  }
  if (!size_asked.empty() && size == nullptr) {
    std::string asked(size_asked);  // as a size is written: "xxl" → "XXL"
    for (char& c : asked) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    return "这款没有" + catalogue::size_label(asked) + "，尺码有" + joined(item.sizes);
  }
  if (colour && size) {
    const catalogue::Sku* sku = item.find_sku(*colour, *size);
    if (sku == nullptr) return std::nullopt;
    return *colour + catalogue::size_label(*size) + state_of(catalogue::stock_of(item, *sku, live), false);
  }
  if (colour || size) {
    std::vector<std::pair<std::string, Stock>> labelled;
    for (const catalogue::Sku& sku : item.skus) {
      if (colour && sku.colour != *colour) continue;
      if (size && sku.size != *size) continue;
      labelled.emplace_back(colour ? sku.size : sku.colour, catalogue::stock_of(item, sku, live));
    }
    return (colour ? *colour : catalogue::size_label(*size)) + grouped(labelled);
  }
  std::string out;
  for (const std::string& c : item.colours) {
    std::vector<std::pair<std::string, Stock>> labelled;
    for (const catalogue::Sku& sku : item.skus) {
      if (sku.colour == c) labelled.emplace_back(sku.size, catalogue::stock_of(item, sku, live));
    }
    if (labelled.empty()) continue;
    if (!out.empty()) out += "；";
    out += c + grouped(labelled);
  }
  return out;
}

std::optional<std::string> measure_answer(const catalogue::Item& item, std::string_view size,
                                          std::string_view measurement) {
  if (!size.empty()) {
    const std::string* known = item.match_size(size);
    if (known == nullptr) return std::nullopt;
    size = *known;
  }
  return item.chart.measurement(size, measurement);
}

}  // namespace xiaoer::reply
