// RedisStore: the store on a Redis server, shared by every daemon of one
// shop (issue 12; docs/operations.md).
//
// DESIGN
// Each commit is one Lua script (EVALSHA; EVAL when the server lost it):
// it checks the chat's version (and, for an opening, that no ticket took
// its number or a later one: TicketNumberOffers, and for a claim, a transfer or an assignment that
// the taker holds fewer chats than its capacity) and applies the whole
// effect, or refuses it (kConflict: the chat service decides again from a
// fresh load, which carries the counts the script checked). So two
// daemons receiving messages of one chat never both commit a decision made
// on the same state: one of them decides again, and finds the other's
// answer in the chat's answered window when it was the same message.
// A version is a global counter (version_seq), so a chat forgotten for
// idleness and seen again never repeats one.
//
// Keys (under the prefix, store.redis_key_prefix):
//   chat:<chat>        hash {v: version, s: state JSON}; expires when idle
//   chat_ticket:<chat> the id of its open ticket
//   ticket:<id>        the open ticket (JSON)
//   open, line         sorted sets: open tickets by number; waiting ones in
//                      line order (priority, then number)
//   waiting            hash priority → tickets waiting
//   held               hash agent → claimed open tickets (capacity)
//   ticket_seq, version_seq, push_seq   counters
//   ticket_taken:<n>   ticket number n was taken (kept a day)
//   resolved           list of resolved tickets, newest first (20000 kept)
//   pushes, push_frames  unacknowledged pushes: ids by number; id → JSON
//   route:<chat>       the daemon whose gateway carries the chat (its last
//                      message): pushes go out through that daemon
//   stock              list of live stock updates (the journal's records)
//   events             the pub/sub channel: every commit that changes a
//                      ticket or sends pushes, with what it sends; every
//                      login session opened or closed
//   sessions           hash token SHA-256 → "<expires ms> <agent>": the
//                      console's logins, valid on every daemon
//   gateways           zset daemon → when it last said it carries gateway
//                      connections (Redis's clock)
//   presence           hash "<daemon>|<agent>" → what that daemon sees of
//                      the agent (scripts::presence)
//   agents             the console's agent accounts (redis_accounts.hpp)
//
// Reads that the interface makes synchronous (tickets, resolved, notices,
// pushes, counts, live stock) are answered from a mirror in memory: own
// commits apply to it at once, other daemons' commits as their events
// arrive, and it is reloaded whole from Redis every tick and after every
// reconnect (so a lost event is repaired within a second).
//
// Sends across daemons: a commit's events reach the agents of every daemon
// (each daemon delivers what it hears of the others'); its pushes go out
// through the daemon that holds the chat's route (a daemon committing a
// push for a chat routed elsewhere hands it over there), or through the
// committing daemon when no daemon carrying gateway connections holds the
// route. A daemon with gateway connections says so at every tick (zset
// `gateways`); one not heard of for kCarrierTimeoutMs (dead, or its
// gateway connections gone) has its routes, and the pushes waiting on them,
// taken by the next daemon with a gateway to reload its mirror: a gateway
// that moved to another daemon gets its pushes from there.
//
// Redis unreachable (a command fails or times out): a load gets the chat
// as new (its open ticket from the mirror), best-effort effects (bot
// replies) are not persisted but sent (kNotDurable), required ones
// (tickets) are refused (kUnavailable). A command that timed out may still
// have run: the answer was not sent, and a resend finds it in the window.
//
// Order: loads of a chat wait while a commit of that chat from this daemon
// is in flight (as the journal's do while one is being written); a request
// decided again after a conflict goes before the ones that waited meanwhile.
//
// Threads: the store runs its own io_context on one thread (the Redis
// connections' strands and every callback), like the journal's writer.
//
// Thread safety: every member may be called from any thread after start().
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon/auth/agent_accounts.hpp"
#include "daemon/auth/agent_seen.hpp"
#include "daemon/auth/login_sessions.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/common/coalesced_run.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/store/redis/redis_connection.hpp"
#include "daemon/store/redis/redis_mirror.hpp"
#include "daemon/store/redis/redis_scripts.hpp"
#include "daemon/store/redis/ticket_number_offers.hpp"
#include "daemon/store/store.hpp"

namespace xiaoer::store::redis {

struct RedisStoreOptions {
  RedisEndpoint endpoint;
  std::string key_prefix = "xiaoer.";
  std::chrono::milliseconds command_timeout{1000};
  std::chrono::milliseconds connect_timeout{1000};
  // How long an idle chat's state is kept (chats.expire_after_s).
  std::int64_t chat_ttl_ms = 86400000;
};

class RedisStore final : public Store {
 public:
  // What other daemons' commits send to this one's gateway and agents:
  // events for every agent; pushes and the route closed only for chats
  // whose route this daemon holds. Runs on the store's thread.
  using RemoteSends = std::function<void(const std::string& chat, chat::Sends sends)>;
  // Pushes this daemon took over from one that no longer carries their
  // chats (in order). Runs on the store's thread.
  using TakenPushes = std::function<void(std::vector<UnackedPush> pushes)>;
  // A daemon not heard of as carrying gateway connections for this long
  // (five ticks) is taken to carry none.
  static constexpr std::int64_t kCarrierTimeoutMs = 5000;

  // Keeps a reference to `clock`; it must outlive the store.
  RedisStore(const chat::Clock& clock, RedisStoreOptions options);
  ~RedisStore() override;

  // Starts the thread and the connections, and waits (connect_timeout at
  // most) for the first load of the mirror, the login sessions and the
  // accounts (a console that reconnects at once finds its login); false
  // when Redis did not answer in time (the store serves anyway, as when
  // Redis goes away later).
  bool start();
  // Stops the connections and the thread (before destruction); what was
  // sent to Redis before still gets there (RedisConnection::stop).
  void stop();
  void set_remote_sends(RemoteSends remote) { remote_ = std::move(remote); }
  // Before start(): whether this daemon has gateway connections now, and
  // where the pushes it takes over go.
  void set_carrier(std::function<bool()> carrying, TakenPushes taken) {
    carrying_ = std::move(carrying);
    taken_ = std::move(taken);
  }
  // Before start(): at each tick, what this daemon sees of its agents is
  // written (hash `presence`) and what the others see is handed to
  // `elsewhere` (on the store's thread); a daemon silent for
  // kCarrierTimeoutMs sees no one.
  using Seen = std::vector<auth::AgentSeen>;
  void share_presence(std::function<Seen()> here, std::function<void(Seen)> elsewhere) {
    presence_here_ = std::move(here);
    presence_elsewhere_ = std::move(elsewhere);
  }
  // Shares the console's login sessions with the other daemons on this
  // Redis (hash `sessions`: token hash → "<expires> <agent>"): this
  // daemon's logins and logouts are written there and published, theirs
  // applied as they are heard, and the whole table read again after every
  // reconnect. Before start().
  void share_sessions(auth::LoginSessions& sessions);
  // Before start(): the console's agent accounts are Redis's (key
  // `agents`, redis_accounts.hpp), handed to `apply` (on the store's
  // thread) after every reconnect and whenever `xiaoerd agent` changes
  // them; when Redis holds none, `seed` (this daemon's agents file) is
  // written there first.
  using AccountsApplied = std::function<void(std::shared_ptr<const auth::AgentAccounts>)>;
  void share_accounts(auth::AgentAccounts seed, AccountsApplied apply) {
    accounts_seed_ = std::move(seed);
    accounts_applied_ = std::move(apply);
  }
  // Reads the accounts again (a reload of the daemon); `done` gets whether
  // Redis answered.
  void reload_accounts(std::function<void(bool)> done = {});
  void set_chat_ttl(std::int64_t chat_ttl_ms) { chat_ttl_ms_.store(chat_ttl_ms, std::memory_order_relaxed); }
  // Whether the last command reached Redis (for /readyz).
  bool available() const { return commands_ && commands_->connected(); }
  // Commands sent to Redis and not answered yet (for a metric): what a
  // kill -9 now may leave undone of the writes nobody waits for (acks).
  std::size_t commands_in_flight() const { return commands_ ? commands_->in_flight() : 0; }
  // Loads and commits asked for and not answered yet (a load waiting for a
  // commit of its chat included): what the app's ReadGate bounds
  // (store.redis_max_backlog), so that a Redis slower than the gateways
  // holds them back through TCP instead of queueing replies past
  // command_timeout. `observer` (before start()) gets the count after each
  // answer, on the store's thread or the caller's.
  std::size_t backlog() const { return requests_.load(std::memory_order_relaxed); }
  void set_backlog_observer(std::function<void(std::size_t backlog)> observer) {
    backlog_observer_ = std::move(observer);
  }
  const std::string& daemon_id() const { return daemon_id_; }

  void load(const std::string& chat, Loaded loaded) override;
  void load_ticket(const std::string& ticket, Loaded loaded) override;
  void commit(chat::Effect effect, Committed committed) override;
  void commit_stock(catalogue::StockUpdate update, StockCommitted committed) override;
  std::shared_ptr<const catalogue::LiveStock> live_stock() override { return mirror_.live_stock(); }
  std::vector<Listed> tickets() override { return mirror_.tickets(); }
  std::vector<queue::ResolvedTicket> resolved(std::string_view query, std::int64_t since_ms,
                                              std::size_t limit) override {
    return mirror_.resolved(query, since_ms, limit);
  }
  std::vector<std::string> chats_due_notice(std::int64_t now_ms, std::int64_t wait_ms) override {
    return mirror_.chats_due_notice(now_ms, wait_ms);
  }
  void tick(std::int64_t now_ms, std::int64_t idle_ms) override;
  std::vector<UnackedPush> unacked_pushes() override { return mirror_.pushes(); }
  void ack_pushes(const std::vector<std::string>& push_ids) override;
  std::vector<std::string> expire_pushes(std::int64_t now_ms, std::int64_t after_ms) override;
  // Chats are Redis keys that expire there: not counted here.
  std::size_t chats() override { return 0; }
  std::size_t queue_waiting() override { return mirror_.waiting(); }
  std::optional<std::int64_t> oldest_waiting_ms() override { return mirror_.oldest_waiting_ms(); }
  std::map<std::string, int> held_by_agent() override { return mirror_.held_by_agent(); }

 private:
  // `done`, counted in backlog() until it has run.
  template <typename Callback>
  Callback counted(Callback done);
  // A script run: EVALSHA, and EVAL when the server does not have it.
  void eval(const scripts::Script& script, std::vector<std::string> args, RedisConnection::Callback done);
  void load_chat(const std::string& chat, bool ticket_position, Loaded loaded);
  // The commit script's answer.
  void committed(chat::Effect effect, std::vector<UnackedPush> kept, RedisReply reply, const Committed& done);
  void settle(const std::string& chat);  // a commit of `chat` answered: waiting loads go on
  // Reloads the mirror (with the history and the stock when `full`);
  // `done` gets whether Redis answered.
  void reload_mirror(bool full, std::function<void(bool)> done = {});
  // The pushes' ids (P-<n>, from push_seq), then the commit script.
  void commit_with_ids(chat::Effect effect, Committed done);
  void run_commit(chat::Effect effect, Committed done);
  void on_event(const std::string& payload);
  // Everything published while a connection was down is lost: read again
  // (the mirror, the sessions, the accounts); `done` gets whether Redis
  // answered all three. Resyncs asked for at once share a run (resyncs_).
  void resync(std::function<void(bool)> done = {});
  void resync_once(std::function<void(bool)> done);
  void write_session(const auth::LoginSessions::Shared& session);
  void reload_sessions(std::function<void(bool)> done = {});
  void share_presence_now();

  const chat::Clock& clock_;
  RedisStoreOptions options_;
  std::atomic<std::int64_t> chat_ttl_ms_;
  std::string daemon_id_;
  RemoteSends remote_;
  std::function<bool()> carrying_;
  TakenPushes taken_;
  std::function<Seen()> presence_here_;
  std::function<void(Seen)> presence_elsewhere_;
  std::atomic<bool> telling_presence_{false};
  auth::AgentAccounts accounts_seed_;
  AccountsApplied accounts_applied_;

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{ioc_.get_executor()};
  std::thread thread_;
  std::shared_ptr<RedisConnection> commands_;
  std::shared_ptr<RedisConnection> subscriber_;
  RedisMirror mirror_;
  std::atomic<bool> reloading_{false};
  auth::LoginSessions* sessions_ = nullptr;
  std::atomic<int> session_writes_{0};  // in flight: a table read meanwhile may miss them
  std::atomic<std::size_t> requests_{0};  // backlog()
  std::function<void(std::size_t)> backlog_observer_;

  // Loads waiting for a commit of their chat from this daemon.
  struct Gate {
    int in_flight = 0;
    std::deque<std::function<void()>> waiting;
    // Of `waiting`, how many at its front are requests decided again after
    // a conflict: they go before any newer one (as in the journal store),
    // or a chat's agent replies would be pushed out of order.
    std::size_t requeued = 0;
  };
  std::mutex gates_mutex_;
  std::unordered_map<std::string, Gate> gates_;
  TicketNumberOffers numbers_;
  common::CoalescedRun resyncs_{[this](common::CoalescedRun::Done done) { resync_once(std::move(done)); }};
};

}  // namespace xiaoer::store::redis
