#include "daemon/catalogue/live_stock.hpp"

namespace xiaoer::catalogue {

std::shared_ptr<const LiveStock> LiveStock::with(const StockUpdate& update) const {
  auto next = std::make_shared<LiveStock>(*this);
  std::vector<Entry>& entries = next->by_item_[update.item];
  for (const SkuStock& sku : update.skus) {
    // An entry this one covers can never show again: dropped, so the
    // overlay stays as small as the SKUs it sets.
    std::erase_if(entries, [&](const Entry& e) {
      return (sku.colour.empty() || sku.colour == e.sku.colour) && (sku.size.empty() || sku.size == e.sku.size);
    });
    entries.push_back({sku, update.at_ms});
  }
  return next;
}

Stock LiveStock::stock_of(const Item& item, const Sku& sku) const {
  const auto it = by_item_.find(item.id);
  if (it == by_item_.end()) return sku.stock;
  for (auto e = it->second.rbegin(); e != it->second.rend(); ++e) {
    if (e->at_ms > item.updated_at_ms && e->sku.covers(sku)) return e->sku.stock;
  }
  return sku.stock;
}

Item LiveStock::applied_to(const Item& item) const {
  Item out = item;
  for (Sku& sku : out.skus) sku.stock = stock_of(item, sku);
  return out;
}

std::vector<StockUpdate> LiveStock::updates() const {
  std::vector<StockUpdate> out;
  for (const auto& [item, entries] : by_item_) {
    for (const Entry& e : entries) out.push_back({item, {e.sku}, e.at_ms});
  }
  return out;
}

std::size_t LiveStock::size() const {
  std::size_t n = 0;
  for (const auto& [item, entries] : by_item_) n += entries.size();
  return n;
}

}  // namespace xiaoer::catalogue
