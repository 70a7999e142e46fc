#include "daemon/store/redis/redis_accounts.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <vector>

namespace xiaoer::store::redis {
namespace {

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

Reply run(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return Reply(static_cast<redisReply*>(
                   redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())),
               freeReplyObject);
}

// A reply that is an error, or none (the connection failed): its text.
std::string failure_of(redisContext* c, const Reply& reply) {
  if (!reply) return c->errstr[0] != '\0' ? c->errstr : "no reply";
  if (reply->type == REDIS_REPLY_ERROR) return std::string(reply->str, reply->len);
  return "";
}

}  // namespace

std::string accounts_event() { return R"({"origin":"xiaoerd agent","accounts":true})"; }

std::string accounts_source(const std::string& prefix) {
  return "redis " + prefix + std::string(kAccountsKey);
}

bool edit_accounts(const RedisEndpoint& endpoint, const std::string& prefix, const auth::AgentAccounts& seed,
                   const std::function<bool(auth::AgentAccounts&)>& change, std::string* error,
                   std::chrono::milliseconds timeout) {
  const timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  std::unique_ptr<redisContext, decltype(&redisFree)> c(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv),
                                                        redisFree);
  const std::string where = "redis " + endpoint.host + ":" + std::to_string(endpoint.port);
  if (!c || c->err != 0) {
    *error = where + ": " + (c ? c->errstr : "out of memory");
    return false;
  }
  redisSetTimeout(c.get(), tv);
  const auto failed = [&](const Reply& reply) {
    const std::string why = failure_of(c.get(), reply);
    if (!why.empty()) *error = where + ": " + why;
    return !why.empty();
  };
  if (endpoint.db != 0 && failed(run(c.get(), {"SELECT", std::to_string(endpoint.db)}))) return false;
  const std::string key = prefix + std::string(kAccountsKey);
  for (;;) {
    if (failed(run(c.get(), {"WATCH", key}))) return false;
    const Reply current = run(c.get(), {"GET", key});
    if (failed(current)) return false;
    auth::AgentAccounts accounts = seed;
    if (current->type == REDIS_REPLY_STRING) {
      auth::LoadedAccounts loaded = auth::parse_accounts(accounts_source(prefix), std::string_view(current->str, current->len));
      if (common::has_errors(loaded.diagnostics)) {
        *error = common::to_string(loaded.diagnostics);
        run(c.get(), {"UNWATCH"});
        return false;
      }
      accounts = std::move(loaded.accounts);
    }
    if (!change(accounts)) {
      run(c.get(), {"UNWATCH"});
      return true;
    }
    if (failed(run(c.get(), {"MULTI"}))) return false;
    run(c.get(), {"SET", key, auth::render_accounts(accounts)});
    run(c.get(), {"PUBLISH", prefix + "events", accounts_event()});
    const Reply done = run(c.get(), {"EXEC"});
    if (failed(done)) return false;
    if (done->type == REDIS_REPLY_ARRAY) {
      // Each queued command's own reply: one refused (out of memory, a
      // read-only replica) means the edit is not known to be written.
      for (std::size_t i = 0; i < done->elements; ++i) {
        const redisReply* step = done->element[i];
        if (step->type == REDIS_REPLY_ERROR) {
          *error = where + ": " + std::string(step->str, step->len);
          return false;
        }
      }
      return true;
    }
    // nil: the key changed since WATCH: read and edit again.
  }
}

}  // namespace xiaoer::store::redis
