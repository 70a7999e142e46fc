#include "daemon/service/stock_service.hpp"

#include <memory>
#include <utility>

namespace xiaoer::service {

StockService::StockService(engine::EngineStore& engines, store::Store& store, const chat::Clock& clock)
    : engines_(engines), store_(store), clock_(clock) {}

StockService::Result StockService::item(std::string_view id) {
  const std::shared_ptr<const engine::Engine> engine = engines_.snapshot();
  if (engine->catalogue() == nullptr) return {404, std::nullopt, "no catalogue is configured (paths.catalogue)"};
  const catalogue::Item* found = engine->catalogue()->find(id);
  if (found == nullptr) return {404, std::nullopt, "no item '" + std::string(id) + "' in the catalogue"};
  return {200, store_.live_stock()->applied_to(*found), ""};
}

void StockService::update(std::string id, std::vector<catalogue::SkuStock> skus, std::function<void(Result)> done) {
  const std::shared_ptr<const engine::Engine> engine = engines_.snapshot();
  const Result known = item(id);
  if (known.status != 200) return done(known);
  const catalogue::Item& target = *engine->catalogue()->find(id);
  // The item's own names, so the overlay matches its SKUs exactly.
  for (catalogue::SkuStock& sku : skus) {
    if (!sku.colour.empty()) {
      const std::string* colour = target.match_colour(sku.colour);
      if (colour == nullptr) return done({400, std::nullopt, "item " + id + " has no colour '" + sku.colour + "'"});
      sku.colour = *colour;
    }
    if (!sku.size.empty()) {
      const std::string* size = target.match_size(sku.size);
      if (size == nullptr) return done({400, std::nullopt, "item " + id + " has no size '" + sku.size + "'"});
      sku.size = *size;
    }
  }
  catalogue::StockUpdate update{id, std::move(skus), clock_.now_ms()};
  store_.commit_stock(std::move(update), [this, id, done = std::move(done)](store::CommitResult result) {
    if (result != store::CommitResult::kCommitted) {
      return done({503, std::nullopt, "the journal could not record the update (disk full?); resend later"});
    }
    done(this->item(id));
  });
}

}  // namespace xiaoer::service
