// The admin HTTP API for the shop's ERP (docs/catalogue.md): an item as the
// bot sees it, and its stock set live.
//
//   GET  /v1/items/{id}          the item, live stock applied
//   POST /v1/items/{id}/stock    one SKU, or {"skus": […]} applied together;
//                                answered with the item once persisted
//
// Every request needs the admin token (Authorization: Bearer <token>).
//
// Thread safety: call from any thread; an update is answered (respond) from
// the journal's thread once persisted, never waited for.
#pragma once

#include <string_view>

#include "daemon/net/message_handler.hpp"
#include "daemon/service/stock_service.hpp"

namespace xiaoer::app {

// Whether `path` is one of the API's.
bool is_stock_api(std::string_view path);

// `admin`: the request carried the admin token (the dispatcher's
// authenticator tells).
using Respond = net::MessageHandler::Respond;
void stock_api(const net::HttpRequest& request, bool admin, service::StockService& stock, Respond respond);

}  // namespace xiaoer::app
