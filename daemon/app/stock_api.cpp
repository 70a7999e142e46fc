#include "daemon/app/stock_api.hpp"

#include <utility>

#include "daemon/proto/stock_codec.hpp"

namespace xiaoer::app {
namespace {

constexpr std::string_view kPrefix = "/v1/items/";
constexpr std::string_view kStockSuffix = "/stock";

net::HttpResponse json(unsigned status, std::string body) { return {status, "application/json", std::move(body)}; }

net::HttpResponse error(unsigned status, std::string_view message) {
  return json(status, proto::encode_api_error(message));
}

net::HttpResponse answer(const service::StockService::Result& result) {
  if (result.status != 200 || !result.item) return error(result.status, result.error);
  return json(200, proto::encode_item(*result.item));
}

}  // namespace

bool is_stock_api(std::string_view path) { return path.starts_with(kPrefix) || path == "/v1/items"; }

void stock_api(const net::HttpRequest& request, bool admin, service::StockService& stock, Respond respond) {
  if (!admin) return respond(error(401, "admin token required (Authorization: Bearer <token>)"));
  std::string_view path = std::string_view(request.target).substr(0, request.target.find('?'));
  if (!path.starts_with(kPrefix)) return respond(error(404, "use GET /v1/items/{id} or POST /v1/items/{id}/stock"));
  path.remove_prefix(kPrefix.size());
  const bool stock_path = path.ends_with(kStockSuffix);
  if (stock_path) path.remove_suffix(kStockSuffix.size());
  const std::string id(path);
  if (id.empty() || id.find('/') != std::string::npos) {
    return respond(error(404, "use GET /v1/items/{id} or POST /v1/items/{id}/stock"));
  }
  if (!stock_path) {
    if (request.method != "GET") return respond(error(405, "use GET /v1/items/{id}"));
    return respond(answer(stock.item(id)));
  }
  if (request.method != "POST") return respond(error(405, "use POST /v1/items/{id}/stock"));
  auto decoded = proto::decode_stock_request(request.body);
  if (auto* why = std::get_if<std::string>(&decoded)) return respond(error(400, *why));
  // Answered once the update is persisted and applied: the I/O thread
  // never waits for the journal.
  stock.update(id, std::get<std::vector<catalogue::SkuStock>>(std::move(decoded)),
               [respond = std::move(respond)](service::StockService::Result done) { respond(answer(done)); });
}

}  // namespace xiaoer::app
