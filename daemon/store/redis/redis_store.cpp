#include "daemon/store/redis/redis_store.hpp"

#include <unistd.h>

#include <charconv>
#include <future>
#include <mutex>
#include <random>
#include <unordered_set>
#include <utility>
#include <variant>

#include <spdlog/spdlog.h>

#include "daemon/proto/codec.hpp"
#include "daemon/store/journal/stock_record.hpp"
#include "daemon/store/redis/redis_accounts.hpp"
#include "daemon/store/redis/redis_codec.hpp"
#include "daemon/store/redis/redis_event.hpp"
#include "daemon/store/redis/redis_scripts.hpp"

namespace xiaoer::store::redis {
namespace {

// The chat whose commit was just refused as a conflict, while its request is
// decided again on the store's thread (load_chat puts that load first).
thread_local const std::string* t_conflicted_chat = nullptr;

std::uint64_t to_u64(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// A reply element as a number, whether Redis sent it as one or as text.
std::uint64_t number_of(const RedisReply& reply) {
  return reply.type == RedisReply::Type::kInteger ? static_cast<std::uint64_t>(reply.integer) : to_u64(reply.text);
}

// This daemon among the others on one Redis: host, pid and a random part.
std::string make_daemon_id() {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + std::to_string(random() % 1000000);
}

const chat::change::Opened* opening_of(const chat::Effect& effect) {
  for (const chat::Change& change : effect.changes) {
    if (const auto* opened = std::get_if<chat::change::Opened>(&change)) return opened;
  }
  return nullptr;
}

// A gateway message's effect: its daemon holds the chat's route.
bool from_gateway(const chat::Effect& effect) {
  for (const chat::Change& change : effect.changes) {
    if (std::holds_alternative<chat::change::Answered>(change) || std::holds_alternative<chat::change::Held>(change)) {
      return true;
    }
  }
  return false;
}

}  // namespace

RedisStore::RedisStore(const chat::Clock& clock, RedisStoreOptions options)
    : clock_(clock), options_(std::move(options)), chat_ttl_ms_(options_.chat_ttl_ms), daemon_id_(make_daemon_id()) {}

RedisStore::~RedisStore() { stop(); }

bool RedisStore::start() {
  RedisConnectionOptions connection;
  connection.endpoint = options_.endpoint;
  connection.command_timeout = options_.command_timeout;
  connection.connect_timeout = options_.connect_timeout;
  connection.name = "store";
  commands_ = RedisConnection::create(ioc_, connection);
  connection.name = "store subscriber";
  subscriber_ = RedisConnection::create(ioc_, connection);
  // What was published while either was down is lost: reload it all.
  commands_->set_on_up([this] { resync(); });
  subscriber_->set_on_up([this] { resync(); });
  subscriber_->subscribe(options_.key_prefix + "events", [this](const std::string& payload) { on_event(payload); });
  thread_ = std::thread([this] { ioc_.run(); });
  commands_->start();
  subscriber_->start();
  const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout + options_.command_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto answered = std::make_shared<std::promise<bool>>();
    std::future<bool> result = answered->get_future();
    resync([answered](bool ok) { answered->set_value(ok); });
    if (result.wait_for(options_.command_timeout * 2) == std::future_status::ready && result.get()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

void RedisStore::stop() {
  if (!thread_.joinable()) return;
  commands_->stop();
  subscriber_->stop();
  work_.reset();
  thread_.join();
}

void RedisStore::eval(const scripts::Script& script, std::vector<std::string> args, RedisConnection::Callback done) {
  std::vector<std::string> evalsha{"EVALSHA", script.sha1, "0"};
  evalsha.insert(evalsha.end(), args.begin(), args.end());
  commands_->command(std::move(evalsha), [this, &script, args = std::move(args), done = std::move(done)](
                                             RedisReply reply) mutable {
    if (!reply.error() || reply.text.rfind("NOSCRIPT", 0) != 0) return done(std::move(reply));
    // A restarted (or flushed) server: the script again, whole (it is
    // cached again for the next EVALSHA).
    std::vector<std::string> eval{"EVAL", script.body, "0"};
    eval.insert(eval.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    commands_->command(std::move(eval), std::move(done));
  });
}

template <typename Callback>
Callback RedisStore::counted(Callback done) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  return [this, done = std::move(done)](auto&&... args) {
    done(std::forward<decltype(args)>(args)...);
    // After `done`: a conflict's load again is counted before this ends.
    const std::size_t left = requests_.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (backlog_observer_) backlog_observer_(left);
  };
}

void RedisStore::load(const std::string& chat, Loaded loaded) {
  load_chat(chat, false, counted(std::move(loaded)));
}

void RedisStore::load_ticket(const std::string& ticket, Loaded loaded) {
  loaded = counted(std::move(loaded));
  std::string chat = mirror_.chat_of_ticket(ticket);
  if (!chat.empty()) return load_chat(chat, true, std::move(loaded));
  // Opened on another daemon since the last reload: Redis knows.
  commands_->command({"GET", options_.key_prefix + "ticket:" + ticket},
                     [this, loaded = std::move(loaded)](RedisReply reply) mutable {
                       std::optional<queue::Ticket> found;
                       if (reply.type == RedisReply::Type::kString) found = decode_ticket(reply.text);
                       if (!found) return loaded(chat::Snapshot{});
                       load_chat(found->chat, true, std::move(loaded));
                     });
}

void RedisStore::load_chat(const std::string& chat, bool ticket_position, Loaded loaded) {
  {
    std::lock_guard lock(gates_mutex_);
    if (const auto it = gates_.find(chat); it != gates_.end()) {
      Gate& gate = it->second;
      auto waiter = [this, chat, ticket_position, loaded = std::move(loaded)]() mutable {
        load_chat(chat, ticket_position, std::move(loaded));
      };
      if (t_conflicted_chat != nullptr && *t_conflicted_chat == chat) {
        gate.waiting.insert(gate.waiting.begin() + static_cast<std::ptrdiff_t>(gate.requeued++), std::move(waiter));
      } else {
        gate.waiting.push_back(std::move(waiter));
      }
      return;
    }
  }
  eval(scripts::load(), {options_.key_prefix, chat, ticket_position ? "1" : "0"},
       [this, chat, loaded = std::move(loaded)](RedisReply reply) {
         chat::Snapshot s;
         s.chat = chat;
         if (reply.type != RedisReply::Type::kArray || reply.elements.size() != 7) {
           // Redis unreachable: the chat as new, with the ticket the mirror
           // knows (its messages are then held, and refused: a required effect).
           if (reply.error()) spdlog::error("store: the load script failed: {}", reply.text);
           s.ticket = mirror_.ticket_of_chat(chat);
           s.held_by_agent = mirror_.held_by_agent();
           s.version = ~std::uint64_t{0};  // never committed: refused if Redis comes back meanwhile
           return loaded(std::move(s));
         }
         const std::vector<RedisReply>& e = reply.elements;
         s.version = number_of(e[0]);
         if (!e[1].text.empty() && !decode_chat_state(e[1].text, &s.state)) {
           spdlog::warn("store: chat {} holds a state that does not decode: taken as new", chat);
         }
         if (!e[2].text.empty()) s.ticket = decode_ticket(e[2].text);
         s.ticket_position = static_cast<int>(e[3].integer);
         s.next_ticket_number = numbers_.offer(chat, number_of(e[4]) + 1);
         for (std::size_t i = 0; i + 1 < e[5].elements.size(); i += 2) {
           s.waiting_by_priority[static_cast<int>(number_of(e[5].elements[i]))] = number_of(e[5].elements[i + 1]);
         }
         // Every daemon's claims as Redis has them (the commit checks the
         // same count): a claim refused there is decided again on this.
         for (std::size_t i = 0; i + 1 < e[6].elements.size(); i += 2) {
           s.held_by_agent[e[6].elements[i].text] = static_cast<int>(number_of(e[6].elements[i + 1]));
         }
         loaded(std::move(s));
       });
}

void RedisStore::commit(chat::Effect effect, Committed done) {
  done = counted(std::move(done));
  if (!effect.changes_state()) {
    // Nothing held changes (a resend, a refusal): nothing to write.
    numbers_.release(effect.chat);
    done(CommitResult::kCommitted, std::move(effect.sends));
    return;
  }
  {
    std::lock_guard lock(gates_mutex_);
    ++gates_[effect.chat].in_flight;
  }
  if (effect.sends.pushes.empty()) return run_commit(std::move(effect), std::move(done));
  commit_with_ids(std::move(effect), std::move(done));
}

void RedisStore::commit_with_ids(chat::Effect effect, Committed done) {
  const std::size_t count = effect.sends.pushes.size();
  commands_->command({"INCRBY", options_.key_prefix + "push_seq", std::to_string(count)},
                     [this, effect = std::move(effect), done = std::move(done), count](RedisReply reply) mutable {
                       if (reply.type != RedisReply::Type::kInteger) {
                         // Pushes go with required effects: refused.
                         const std::string chat = effect.chat;
                         done(CommitResult::kUnavailable, {});
                         settle(chat);
                         return;
                       }
                       std::uint64_t number = static_cast<std::uint64_t>(reply.integer) - count;
                       for (proto::Push& push : effect.sends.pushes) {
                         proto::set_push_id(push, "P-" + std::to_string(++number));
                       }
                       run_commit(std::move(effect), std::move(done));
                     });
}

void RedisStore::run_commit(chat::Effect effect, Committed done) {
  const std::int64_t now_ms = clock_.now_ms();
  const chat::change::Opened* opened = opening_of(effect);
  std::vector<std::string> args{options_.key_prefix,
                                effect.chat,
                                std::to_string(effect.version),
                                effect.state ? encode_chat_state(*effect.state) : std::string(),
                                std::to_string(chat_ttl_ms_.load(std::memory_order_relaxed)),
                                opened != nullptr ? std::to_string(opened->ticket.number) : std::string(),
                                effect.resolved_ticket,
                                std::to_string(now_ms)};
  if (effect.ticket) {
    const queue::Ticket& t = *effect.ticket;
    const std::uint64_t number = t.number != 0 ? t.number : queue::ticket_number(t.id);
    args.insert(args.end(), {t.id, encode_ticket(t), std::to_string(t.priority), std::to_string(number),
                             t.state == queue::TicketState::kWaiting ? "1" : "0"});
  } else {
    args.insert(args.end(), {"", "", "0", "0", "0"});
  }
  args.push_back(from_gateway(effect) ? daemon_id_ : std::string());
  const bool tell_others = effect.ticket || !effect.resolved_ticket.empty() || !effect.sends.events.empty() ||
                           !effect.sends.pushes.empty() || effect.sends.route_closed;
  args.push_back(tell_others ? event_body(daemon_id_, effect.chat, effect.ticket ? &*effect.ticket : nullptr,
                                          effect.sends)
                             : std::string());
  args.push_back(effect.taker ? effect.taker->agent : std::string());
  args.push_back(std::to_string(effect.taker ? effect.taker->capacity : 0));
  args.insert(args.end(), {daemon_id_, std::to_string(kCarrierTimeoutMs)});
  std::vector<UnackedPush> kept;
  for (const proto::Push& push : effect.sends.pushes) {
    kept.push_back({proto::push_id(push), effect.chat, proto::encode(push), now_ms});
  }
  args.push_back(std::to_string(kept.size()));
  for (const UnackedPush& push : kept) {
    args.insert(args.end(), {push.push_id, std::to_string(PushTable::number_of(push.push_id)), encode_push(push)});
  }
  eval(scripts::commit(), std::move(args),
       [this, effect = std::move(effect), kept = std::move(kept), done = std::move(done)](RedisReply reply) mutable {
         const std::string chat = effect.chat;
         committed(std::move(effect), std::move(kept), std::move(reply), done);
         settle(chat);
       });
}

void RedisStore::committed(chat::Effect effect, std::vector<UnackedPush> kept, RedisReply reply,
                           const Committed& done) {
  if (reply.type != RedisReply::Type::kArray || reply.elements.empty()) {
    if (reply.error()) spdlog::error("store: the commit script failed: {}", reply.text);
    if (effect.durability == chat::Durability::kBestEffort) {
      // A bot reply: sent though not kept (its chat's context is lost).
      return done(CommitResult::kNotDurable, std::move(effect.sends));
    }
    spdlog::error("store: redis unreachable ({}): a change to chat {} refused with 'unavailable'", reply.text,
                  effect.chat);
    return done(CommitResult::kUnavailable, {});
  }
  if (reply.elements[0].integer == 0) {
    // The chat service decides again at once, on this thread: its load is
    // the oldest request of the chat (load_chat puts it first).
    t_conflicted_chat = &effect.chat;
    done(CommitResult::kConflict, {});
    t_conflicted_chat = nullptr;
    return;
  }
  const std::string owner = reply.elements.size() > 2 ? reply.elements[2].text : std::string();
  if (effect.ticket) mirror_.put(*effect.ticket);
  if (!effect.resolved_ticket.empty()) {
    const std::string entry = reply.elements.size() > 3 ? reply.elements[3].text : std::string();
    mirror_.resolve(effect.resolved_ticket, entry.empty() ? std::nullopt : decode_resolved(entry));
  }
  mirror_.add_pushes(kept);
  if (!owner.empty() && owner != daemon_id_) {
    // The daemon holding the chat's gateway sends these (it heard the event).
    effect.sends.pushes.clear();
    effect.sends.route_closed = false;
  }
  done(CommitResult::kCommitted, std::move(effect.sends));
}

void RedisStore::settle(const std::string& chat) {
  numbers_.release(chat);
  std::deque<std::function<void()>> waiting;
  {
    std::lock_guard lock(gates_mutex_);
    const auto it = gates_.find(chat);
    if (it == gates_.end() || --it->second.in_flight > 0) return;
    waiting.swap(it->second.waiting);
    gates_.erase(it);
  }
  for (auto& load : waiting) load();
}

void RedisStore::on_event(const std::string& payload) {
  std::optional<StoreEvent> event = decode_event(payload);
  if (!event || event->origin == daemon_id_) return;  // its own: applied at its commit
  if (event->session) {
    if (sessions_ != nullptr) sessions_->apply(*event->session);
    return;
  }
  if (event->accounts) return reload_accounts();
  if (event->put) mirror_.put(*event->put);
  if (event->resolved) mirror_.resolve(event->resolved->ticket.id, event->resolved);
  if (event->stock) mirror_.apply_stock(*event->stock);
  std::vector<UnackedPush> kept;  // unacknowledged here too, as after a reload
  for (const proto::Push& push : event->sends.pushes) {
    kept.push_back({proto::push_id(push), event->chat, proto::encode(push), clock_.now_ms()});
  }
  mirror_.add_pushes(kept);
  // Pushes go out through the chat's daemon; with no route known, through
  // the one that committed them.
  if (event->owner != daemon_id_) {
    event->sends.pushes.clear();
    event->sends.route_closed = false;
  }
  if (remote_ && (!event->sends.pushes.empty() || !event->sends.events.empty() || event->sends.route_closed)) {
    remote_(event->chat, std::move(event->sends));
  }
}

void RedisStore::resync(std::function<void(bool)> done) { resyncs_.request(std::move(done)); }

void RedisStore::resync_once(std::function<void(bool)> done) {
  struct Joint {
    std::mutex mutex;
    int left = 3;
    bool ok = true;
    std::function<void(bool)> done;
  };
  auto joint = std::make_shared<Joint>();
  joint->done = std::move(done);
  const auto one_done = [joint](bool ok) {
    std::function<void(bool)> all_done;
    {
      std::lock_guard lock(joint->mutex);
      joint->ok = joint->ok && ok;
      if (--joint->left > 0) return;
      all_done = std::move(joint->done);
    }
    if (all_done) all_done(joint->ok);
  };
  reload_mirror(true, one_done);
  reload_sessions(one_done);
  reload_accounts(one_done);
}

void RedisStore::reload_accounts(std::function<void(bool)> done) {
  if (!accounts_applied_) {
    if (done) done(true);
    return;
  }
  const std::string key = options_.key_prefix + std::string(kAccountsKey);
  commands_->command({"GET", key}, [this, key, done = std::move(done)](RedisReply reply) mutable {
    if (reply.type == RedisReply::Type::kNil) {
      // None yet: this daemon's file, unless another daemon wrote first.
      commands_->command({"SET", key, auth::render_accounts(accounts_seed_), "NX"},
                         [this, done = std::move(done)](RedisReply written) mutable {
                           if (written.type == RedisReply::Type::kStatus || written.type == RedisReply::Type::kNil) {
                             reload_accounts(std::move(done));
                           } else if (done) {
                             done(false);
                           }
                         });
      return;
    }
    if (reply.type != RedisReply::Type::kString) {  // unreachable: read at the next reconnect
      if (done) done(false);
      return;
    }
    auth::LoadedAccounts loaded = auth::parse_accounts(accounts_source(options_.key_prefix), reply.text);
    for (const common::Diagnostic& d : loaded.diagnostics) spdlog::error("{}", d.to_string());
    if (common::has_errors(loaded.diagnostics)) {
      spdlog::error("store: the agent accounts on redis have errors; keeping the running set");
    } else {
      spdlog::info("store: {} agent accounts from redis", loaded.accounts.by_name.size());
      accounts_applied_(std::make_shared<const auth::AgentAccounts>(std::move(loaded.accounts)));
    }
    if (done) done(true);
  });
}

void RedisStore::share_sessions(auth::LoginSessions& sessions) {
  sessions_ = &sessions;
  sessions.share([this](const auth::LoginSessions::Shared& session) { write_session(session); });
}

void RedisStore::write_session(const auth::LoginSessions::Shared& session) {
  ++session_writes_;
  eval(scripts::session(),
       {options_.key_prefix, session.token_hash, session.agent, std::to_string(session.expires_ms),
        std::to_string(clock_.now_ms()), session_event(daemon_id_, session)},
       [this, opened = session.expires_ms != 0](RedisReply reply) {
         --session_writes_;
         if (reply.type == RedisReply::Type::kInteger) return;
         // Kept here only; Redis's table replaces this one when it answers again.
         spdlog::warn("store: redis unreachable ({}): a console {} is not shared with the other daemons", reply.text,
                      opened ? "login" : "logout");
       });
}

void RedisStore::reload_sessions(std::function<void(bool)> done) {
  if (sessions_ == nullptr) {
    if (done) done(true);
    return;
  }
  const std::uint64_t read_at = sessions_->generation();
  commands_->command({"HGETALL", options_.key_prefix + "sessions"}, [this, read_at, done = std::move(done)](
                                                                        RedisReply reply) mutable {
    if (reply.type != RedisReply::Type::kArray) {  // unreachable: read at the next reconnect
      if (done) done(false);
      return;
    }
    std::vector<auth::LoginSessions::Shared> all;
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      const std::string& value = reply.elements[i + 1].text;
      const std::size_t space = value.find(' ');
      if (space == std::string::npos) continue;
      all.push_back({reply.elements[i].text, value.substr(space + 1), static_cast<std::int64_t>(to_u64(value))});
    }
    // A login or logout of this daemon's meanwhile may be missing from it:
    // read again once it is written.
    if (session_writes_.load() > 0 || !sessions_->replace(all, read_at, clock_.now_ms())) {
      reload_sessions(std::move(done));
    } else if (done) {
      done(true);
    }
  });
}

void RedisStore::reload_mirror(bool full, std::function<void(bool)> done) {
  const bool carrying = carrying_ && carrying_();
  std::vector<std::string> args{options_.key_prefix, full ? "1" : "0", daemon_id_, carrying ? "1" : "0",
                                std::to_string(kCarrierTimeoutMs),
                                std::to_string(chat_ttl_ms_.load(std::memory_order_relaxed))};
  eval(scripts::mirror(), std::move(args), [this, full, done = std::move(done)](RedisReply reply) {
    const bool ok = reply.type == RedisReply::Type::kArray && reply.elements.size() == 5;
    if (ok) {
      const std::vector<RedisReply>& e = reply.elements;
      std::vector<queue::Ticket> open;
      for (const RedisReply& t : e[0].elements) {
        if (std::optional<queue::Ticket> ticket = decode_ticket(t.text)) open.push_back(std::move(*ticket));
      }
      std::vector<UnackedPush> pushes;
      for (std::size_t i = 0; i + 1 < e[1].elements.size(); i += 2) {
        if (auto push = decode_push(e[1].elements[i].text, e[1].elements[i + 1].text)) pushes.push_back(*push);
      }
      std::unordered_set<std::string> taken_ids;
      for (const RedisReply& id : e[4].elements) taken_ids.insert(id.text);
      std::vector<UnackedPush> taken;  // in the pushes' order
      for (const UnackedPush& push : pushes) {
        if (taken_ids.contains(push.push_id)) taken.push_back(push);
      }
      mirror_.replace(std::move(open), std::move(pushes));
      if (!taken.empty()) {
        spdlog::info("store: {} pushes taken over from a daemon no longer carrying their chats", taken.size());
        if (taken_) taken_(std::move(taken));
      }
      if (full) {
        std::vector<queue::ResolvedTicket> history;  // the list is newest first
        for (auto it = e[2].elements.rbegin(); it != e[2].elements.rend(); ++it) {
          if (auto done_ticket = decode_resolved(it->text)) history.push_back(std::move(*done_ticket));
        }
        mirror_.replace_history(std::move(history));
        std::vector<catalogue::StockUpdate> stock;
        std::string error;
        for (const RedisReply& record : e[3].elements) {
          if (auto update = records::parse_stock(record.text, &error)) stock.push_back(std::move(*update));
        }
        mirror_.replace_stock(stock);
      }
    } else if (reply.error()) {
      spdlog::error("store: the mirror script failed: {}", reply.text);
    }
    if (done) done(ok);
  });
}

void RedisStore::tick(std::int64_t /*now_ms*/, std::int64_t idle_ms) {
  chat_ttl_ms_.store(idle_ms, std::memory_order_relaxed);
  share_presence_now();
  if (reloading_.exchange(true)) return;  // the last one has not answered yet
  reload_mirror(false, [this](bool) { reloading_.store(false); });
}

void RedisStore::share_presence_now() {
  if (!presence_here_ || telling_presence_.exchange(true)) return;
  std::vector<std::string> args{options_.key_prefix, daemon_id_, std::to_string(kCarrierTimeoutMs)};
  for (const auth::AgentSeen& seen : presence_here_()) {
    args.insert(args.end(), {seen.agent, seen.connected ? "1" : "0", seen.away ? "1" : "0",
                             std::to_string(seen.away_ms)});
  }
  eval(scripts::presence(), std::move(args), [this](RedisReply reply) {
    telling_presence_.store(false);
    if (reply.type != RedisReply::Type::kArray) return;  // unreachable: told at the next tick
    Seen elsewhere;
    for (std::size_t i = 0; i + 3 < reply.elements.size(); i += 4) {
      elsewhere.push_back({reply.elements[i].text, reply.elements[i + 1].text == "1",
                           reply.elements[i + 2].text == "1",
                           static_cast<std::int64_t>(to_u64(reply.elements[i + 3].text))});
    }
    presence_elsewhere_(std::move(elsewhere));
  });
}

void RedisStore::ack_pushes(const std::vector<std::string>& push_ids) {
  if (push_ids.empty()) return;
  mirror_.remove_pushes(push_ids);
  // Not waited for: an ack lost means a push delivered again.
  std::vector<std::string> zrem{"ZREM", options_.key_prefix + "pushes"};
  std::vector<std::string> hdel{"HDEL", options_.key_prefix + "push_frames"};
  zrem.insert(zrem.end(), push_ids.begin(), push_ids.end());
  hdel.insert(hdel.end(), push_ids.begin(), push_ids.end());
  commands_->command(std::move(zrem), [](RedisReply) {});
  commands_->command(std::move(hdel), [](RedisReply) {});
}

std::vector<std::string> RedisStore::expire_pushes(std::int64_t now_ms, std::int64_t after_ms) {
  std::vector<std::string> expired = mirror_.expire_pushes(now_ms - after_ms);
  if (!expired.empty()) ack_pushes(expired);
  return expired;
}

void RedisStore::commit_stock(catalogue::StockUpdate update, StockCommitted committed) {
  std::string record = records::stock(update);
  commands_->command({"RPUSH", options_.key_prefix + "stock", record},
                     [this, update = std::move(update), committed = std::move(committed)](RedisReply reply) {
                       if (reply.type != RedisReply::Type::kInteger) {
                         spdlog::error("store: redis unreachable: a stock update refused with 'unavailable'");
                         return committed(CommitResult::kUnavailable);
                       }
                       mirror_.apply_stock(update);
                       const std::string body = event_body(daemon_id_, "", nullptr, {}, &update);
                       commands_->command({"PUBLISH", options_.key_prefix + "events", "{\"owner\":\"\"," + body},
                                          [](RedisReply) {});
                       committed(CommitResult::kCommitted);
                     });
}

}  // namespace xiaoer::store::redis
