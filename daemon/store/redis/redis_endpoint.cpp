#include "daemon/store/redis/redis_endpoint.hpp"

#include <charconv>

namespace xiaoer::store::redis {
namespace {

bool parse_number(std::string_view text, int max, int* out) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > max) return false;
  *out = value;
  return true;
}

// "'URL' what" (appended: GCC 12 warns falsely on literal + string + literal).
std::string about(std::string_view url, std::string_view what) {
  std::string out = "'";
  out.append(url).append("' ").append(what);
  return out;
}

}  // namespace

std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    *error = about(url, "is not a redis://HOST:PORT/DB URL");
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint endpoint;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_number(db, 65535, &endpoint.db)) {
      *error = about(url, "has a database after '/' that is not a number");
      return std::nullopt;
    }
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos) {
    *error = about(url, "has a password: not supported (bind Redis to a private address)");
    return std::nullopt;
  }
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!parse_number(rest.substr(colon + 1), 65535, &endpoint.port) || endpoint.port == 0) {
      *error = about(url, "has a port that is not a number from 1 to 65535");
      return std::nullopt;
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) {
    *error = about(url, "names no host");
    return std::nullopt;
  }
  endpoint.host = std::string(rest);
  return endpoint;
}

}  // namespace xiaoer::store::redis
