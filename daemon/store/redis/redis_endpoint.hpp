// RedisEndpoint: where the Redis store's server is, from store.redis_url
// ("redis://HOST:PORT/DB"; port 6379 and db 0 when left out).
//
// Thread safety: plain data and a pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xiaoer::store::redis {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
};

// nullopt with `error` when `url` is not a redis:// URL of that shape (no
// password, no TLS: hiredis 0.14 has no TLS, and AUTH is left to a later need).
std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error);

}  // namespace xiaoer::store::redis
