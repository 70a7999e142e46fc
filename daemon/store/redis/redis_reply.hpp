// RedisReply: one reply of a Redis server as a plain value, copied out of
// hiredis's redisReply (which hiredis frees when the callback returns).
//
// Thread safety: plain data.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

struct redisReply;

namespace xiaoer::store::redis {

struct RedisReply {
  enum class Type {
    kFailed,  // no reply: not connected, timed out or the connection dropped (see `text`)
    kNil,
    kStatus,   // +OK
    kError,    // -ERR … from the server (see `text`)
    kInteger,
    kString,
    kArray,
  };
  Type type = Type::kFailed;
  std::string text;  // kStatus, kError, kString, kFailed
  std::int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool failed() const { return type == Type::kFailed; }
  bool error() const { return type == Type::kError; }

  static RedisReply failure(std::string why) { return {Type::kFailed, std::move(why), 0, {}}; }
  // A copy of `reply`; a null reply (hiredis's "no reply": the context is
  // being freed) is kFailed.
  static RedisReply of(const redisReply* reply);
};

}  // namespace xiaoer::store::redis
