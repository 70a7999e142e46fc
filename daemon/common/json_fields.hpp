// Lenient reads of a parsed JSON object's fields, for what we wrote
// ourselves (journal records, the Redis store's values and events): a
// missing or mistyped field reads as empty or 0. What others send is
// validated by proto's decoders instead.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace xiaoer::common {

inline std::string string_field(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::int64_t int_field(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace xiaoer::common
