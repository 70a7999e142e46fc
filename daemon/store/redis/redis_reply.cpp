#include "daemon/store/redis/redis_reply.hpp"

#include <hiredis/hiredis.h>

namespace xiaoer::store::redis {

RedisReply RedisReply::of(const redisReply* reply) {
  if (reply == nullptr) return failure("connection to redis lost");
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_STATUS:
      out.type = Type::kStatus;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Type::kError;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Type::kInteger;
      out.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Type::kString;
      out.text.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Type::kArray;
      out.elements.reserve(reply->elements);
      for (std::size_t i = 0; i < reply->elements; ++i) out.elements.push_back(of(reply->element[i]));
      break;
    default:
      out.type = Type::kNil;
      break;
  }
  return out;
}

}  // namespace xiaoer::store::redis
