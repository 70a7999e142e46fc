#include "daemon/app/admin_protocol.hpp"

#include <nlohmann/json.hpp>

namespace xiaoer::app {
namespace {

nlohmann::json parse_object(std::string_view line) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return json.is_object() ? json : nlohmann::json();
}

template <typename T>
T get_or(const nlohmann::json& json, const char* key, T fallback) {
  const auto it = json.find(key);
  if (it == json.end()) return fallback;
  if constexpr (std::is_same_v<T, bool>) return it->is_boolean() ? it->get<bool>() : fallback;
  if constexpr (std::is_same_v<T, std::string>) return it->is_string() ? it->get<std::string>() : fallback;
  if constexpr (std::is_same_v<T, std::size_t>) return it->is_number_unsigned() ? it->get<std::size_t>() : fallback;
}

std::string dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string encode(const AdminRequest& request) {
  return dump({{"command", request.command}, {"force", request.force}});
}

std::optional<AdminRequest> decode_admin_request(std::string_view line) {
  const nlohmann::json json = parse_object(line);
  if (!json.is_object()) return std::nullopt;
  AdminRequest request{get_or<std::string>(json, "command", ""), get_or(json, "force", false)};
  if (request.command.empty()) return std::nullopt;
  return request;
}

std::string encode(const ReloadReport& r) {
  return dump({{"ok", r.ok},
               {"refused", r.refused},
               {"errors", r.errors},
               {"intents", r.intents},
               {"rules", r.rules},
               {"messages", r.messages},
               {"changed", r.changed},
               {"summary", r.summary}});
}

std::optional<ReloadReport> decode_reload_report(std::string_view line) {
  const nlohmann::json json = parse_object(line);
  if (!json.is_object() || !json.contains("ok")) return std::nullopt;
  ReloadReport r;
  r.ok = get_or(json, "ok", false);
  r.refused = get_or(json, "refused", false);
  if (const auto errors = json.find("errors"); errors != json.end() && errors->is_array()) {
    for (const auto& e : *errors) {
      if (e.is_string()) r.errors.push_back(e.get<std::string>());
    }
  }
  r.intents = get_or<std::size_t>(json, "intents", 0);
  r.rules = get_or<std::size_t>(json, "rules", 0);
  r.messages = get_or<std::size_t>(json, "messages", 0);
  r.changed = get_or<std::size_t>(json, "changed", 0);
  r.summary = get_or<std::string>(json, "summary", "");
  return r;
}

}  // namespace xiaoer::app
