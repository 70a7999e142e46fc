// StockService: the catalogue's items as the bot sees them, and the shop's
// ERP setting their stock (the admin HTTP API, app/stock_api.cpp).
//
// An update is checked against the item in service (it must exist, and
// every colour and size named must be the item's), then committed through
// the store, which persists it before it applies it whole; only then is it
// answered. Messages see it from their next snapshot of the live stock.
//
// Thread safety: every member may be called from any thread; `done` runs
// on the caller's thread or the store's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/catalogue/live_stock.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/engine/engine_store.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::service {

class StockService {
 public:
  struct Result {
    unsigned status = 200;              // an HTTP status: 200, 400, 404, 503
    std::optional<catalogue::Item> item;  // after the update, when 200
    std::string error;
  };

  // Keeps references to every argument; they must outlive the service.
  StockService(engine::EngineStore& engines, store::Store& store, const chat::Clock& clock);

  // Item `id` with the live stock applied, as a message about it is answered.
  Result item(std::string_view id);

  // Sets the stock of `skus` of item `id` ("" colour or size: all of them).
  void update(std::string id, std::vector<catalogue::SkuStock> skus, std::function<void(Result)> done);

 private:
  engine::EngineStore& engines_;
  store::Store& store_;
  const chat::Clock& clock_;
};

}  // namespace xiaoer::service
