#include "daemon/app/app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>
#include <vector>

#include "daemon/app/admin_protocol.hpp"
#include "daemon/app/config.hpp"
#include "daemon/app/config_table.hpp"
#include "daemon/app/dispatcher.hpp"
#include "daemon/app/logging.hpp"
#include "daemon/app/reload_guard.hpp"
#include "daemon/app/sd_notify.hpp"
#include "daemon/auth/agent_accounts.hpp"
#include "daemon/engine/engine_store.hpp"
#include "daemon/net/admin_socket.hpp"
#include "daemon/net/connection_registry.hpp"
#include "daemon/net/gateway_client.hpp"
#include "daemon/net/listener.hpp"
#include "daemon/net/tls_context.hpp"
#include "daemon/service/chat_service.hpp"
#include "daemon/store/journal/journal_store.hpp"
#include "daemon/store/redis/redis_store.hpp"
#include "daemon/traffic/recent_messages.hpp"
#include "daemon/traffic/traffic_sample.hpp"
#include "daemon/traffic/traffic_tap.hpp"

namespace xiaoer::app {
namespace {

using namespace std::chrono_literals;

constexpr auto kTickInterval = 1s;
constexpr auto kDrainGrace = 5s;

// The store's share of the options (each declared once, in ChatOptions and
// ConsoleOptions).
store::JournalStoreOptions store_options(const Config& c) {
  return {c.chat.answered_window, c.chat.compact_after_bytes, c.console.history_ms};
}

// The Redis store of `config` (store.backend: redis), else null; its URL
// was checked by serve().
std::unique_ptr<store::redis::RedisStore> make_redis_store(const Config& config, const chat::Clock& clock) {
  if (config.store.backend != StoreBackend::kRedis) return nullptr;
  std::string error;
  store::redis::RedisStoreOptions options;
  options.endpoint = store::redis::parse_redis_url(config.store.redis_url, &error).value_or(options.endpoint);
  options.key_prefix = config.store.redis_key_prefix;
  options.command_timeout = std::chrono::milliseconds(config.store.redis_timeout_ms);
  options.connect_timeout = std::chrono::milliseconds(config.store.redis_connect_timeout_ms);
  options.chat_ttl_ms = config.chat.expire_after_ms;
  return std::make_unique<store::redis::RedisStore>(clock, options);
}

// Logs every diagnostic; adds the errors to `errors` when given (a reload's
// report).
void print(const common::Diagnostics& diagnostics, std::vector<std::string>* errors = nullptr) {
  for (const auto& d : diagnostics) {
    if (d.severity == common::Severity::kError) {
      spdlog::error("{}", d.to_string());
      if (errors != nullptr) errors->push_back(d.to_string());
    } else {
      spdlog::warn("{}", d.to_string());
    }
  }
}

// Tokens from their sources; false (logged) if one is missing.
bool load_tokens(const Config& c, Tokens* out) {
  std::string error;
  out->gateway = resolve_token(c.gateway_token, &error);
  if (out->gateway.empty()) {
    spdlog::error("gateway token: {}", error);
    return false;
  }
  out->agent = resolve_token(c.agent_token, &error);
  if (out->agent.empty()) {
    spdlog::error("agent token: {}", error);
    return false;
  }
  out->admin = resolve_token(c.admin_token, &error);
  if (out->admin.empty()) {
    spdlog::error("admin token: {}", error);
    return false;
  }
  if (out->gateway == out->agent || out->admin == out->gateway || out->admin == out->agent) {
    spdlog::error("the gateway, agent and admin tokens must differ (a token's role is how it is told apart)");
    return false;
  }
  return true;
}

// The agent accounts of `config` (console.agents_file); null (logged) on
// an error in the file.
std::shared_ptr<const auth::AgentAccounts> load_agent_accounts(const Config& config, const std::string& config_path) {
  const std::string path = agents_file(config, config_path);
  auth::LoadedAccounts loaded = auth::load_accounts(path);
  print(loaded.diagnostics);
  if (common::has_errors(loaded.diagnostics)) return nullptr;
  spdlog::info("{}: {} agent accounts", path, loaded.accounts.by_name.size());
  return std::make_shared<const auth::AgentAccounts>(std::move(loaded.accounts));
}

// Everything `serve` runs, in the order it is built.
class Daemon final : public net::AdminHandler {
 public:
  Daemon(std::string config_path, Config config, std::shared_ptr<const engine::Engine> engine, Tokens tokens,
         std::shared_ptr<const auth::AgentAccounts> accounts)
      : config_path_(std::move(config_path)),
        config_(std::move(config)),
        engines_(std::move(engine)),
        recent_(static_cast<std::size_t>(config_.reload.recent_messages)),
        dispatcher_(nullptr, metrics_, clock_),
        journal_store_(metrics_, clock_, store_options(config_)),
        redis_store_(make_redis_store(config_, clock_)),
        store_(redis_store_ ? static_cast<store::Store&>(*redis_store_) : journal_store_),
        service_(engines_, store_, dispatcher_, metrics_, clock_, config_.chat),
        stock_(engines_, store_, clock_),
        limits_(std::make_shared<const net::SessionLimits>(config_.session)),
        ioc_(threads()),
        signals_(ioc_, SIGINT, SIGTERM, SIGHUP),
        tick_timer_(housekeeping_),
        watchdog_timer_(ioc_),
        drain_timer_(ioc_),
        notifier_(SdNotifier::from_environment()) {
    dispatcher_.attach(service_);
    dispatcher_.attach_stock(stock_);
    dispatcher_.attach(store_);
    dispatcher_.set_push_expiry(config_.chat.push_expire_after_ms);
    dispatcher_.set_tokens(std::move(tokens));
    dispatcher_.set_limits(config_.decode);
    dispatcher_.authenticator().set_accounts(std::move(accounts));
    dispatcher_.authenticator().set_console(config_.console);
    if (std::string error; !config_.console.sessions_file.empty() &&
                           !dispatcher_.authenticator().keep_sessions_in(config_.console.sessions_file, &error)) {
      spdlog::warn("console.sessions_file: {}; logins are kept in memory only", error);
    }
  }

  ~Daemon() override {
    // Its thread calls into the service and the dispatcher: stopped first.
    if (redis_store_) redis_store_->stop();
  }

  int run() {
    std::shared_ptr<boost::asio::ssl::context> tls;
    if (!config_.tls_cert.empty()) {
      std::string tls_error;
      tls = net::make_server_tls(config_.tls_cert, config_.tls_key, &tls_error);
      if (!tls) {
        spdlog::error("tls: {}", tls_error);
        return 1;
      }
    }
    if (!(redis_store_ ? open_redis() : open_journal())) return 1;
    if (!open_traffic_sample()) return 1;
    add_gauges();
    const auto limits = [this] { return *limits_.load(); };
    listener_ = std::make_shared<net::Listener>(ioc_, dispatcher_, registry_, limits, tls);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(config_.listen_address, ec);
    if (ec) {
      spdlog::error("listen.address '{}' is not an IP address", config_.listen_address);
      return 1;
    }
    std::string error;
    admin_ = std::make_shared<net::AdminSocket>(ioc_, *this);
    if (!admin_->open(config_.admin_socket, &error)) {
      spdlog::error("{}", error);
      return 1;
    }
    if (!listener_->open({address, config_.port}, &error)) {
      spdlog::error("{}", error);
      return 1;
    }
    const auto endpoint = listener_->local_endpoint();
    listener_->start();
    const char* scheme = tls ? "wss" : "ws";
    spdlog::info("listening on {}:{} (gateway {}://{}:{}/v1/gateway, agents /v1/agent)", endpoint.address().to_string(),
                 endpoint.port(), scheme, endpoint.address().to_string(), endpoint.port());
    if (config_.gateway_mode == GatewayMode::kClient && !start_client()) return 1;
    admin_->start();

    signals_.async_wait([this](const boost::system::error_code& e, int signal) { on_signal(e, signal); });
    schedule_tick();
    schedule_watchdog();
    dispatcher_.set_ready(true);
    notifier_.ready("serving");

    std::vector<std::thread> workers;
    for (int i = 1; i < threads(); ++i) workers.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : workers) t.join();
    housekeeping_.stop();
    housekeeping_.join();
    reload_pool_.join();
    if (journal_) journal_->flush();
    if (redis_store_) redis_store_->stop();
    if (sample_) sample_->flush();
    spdlog::info("stopped");
    return 0;
  }

 private:
  int threads() const {
    return config_.threads > 0 ? config_.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }

  bool open_journal() {
    const store::JournalOptions& options = config_.journal;
    store::ReplayReport report;
    std::string error;
    std::size_t rejected = 0;
    std::size_t bad_before = 0;  // bad lines before the previous record
    journal_ = store::Journal::open(
        options,
        [&](std::string_view record) {
          std::string why;
          const bool follows_damage = report.bad_lines != bad_before;
          bad_before = report.bad_lines;
          if (!journal_store_.replay(record, &why, follows_damage) && ++rejected <= 20) {
            spdlog::warn("journal record not applied: {}", why);
          }
        },
        &report, &error);
    if (!journal_) {
      spdlog::error("journal: {}", error);
      return false;
    }
    for (const auto& problem : report.problems) spdlog::warn("journal {}: {}", config_.journal.path, problem);
    metrics_.journal_damaged_records.add(report.bad_lines + rejected);
    spdlog::info("journal {}: {} records replayed, {} bad lines skipped, {} not applied, {} tickets open",
                 config_.journal.path, report.records, report.bad_lines, rejected, service_.tickets().size());
    journal_->set_sync_observer([this](std::chrono::microseconds d) {
      metrics_.journal_sync_latency.observe(static_cast<double>(d.count()) / 1e6);
    });
    journal_store_.attach(*journal_);
    dispatcher_.restore_pushes();
    dispatcher_.set_backlog_limit(config_.journal.max_backlog, [this] { return journal_->backlog(); },
                                  {"journal backlog", "records", "journal.max_backlog"});
    journal_->set_backlog_observer([this](std::size_t backlog) { dispatcher_.store_backlog(backlog); });
    return true;
  }

  // The store on Redis (docs/operations.md): serving even if it does not
  // answer yet (queue changes are refused until it does).
  bool open_redis() {
    redis_store_->set_remote_sends(
        [this](const std::string& chat, chat::Sends sends) { service_.deliver(chat, std::move(sends)); });
    // An agent logged in on one daemon is logged in on all: the balancer
    // may send the console's next connection to any of them.
    redis_store_->share_sessions(dispatcher_.authenticator().sessions());
    // Pushes go out through the daemon carrying their chat's gateway; one
    // whose gateway went elsewhere (or that died) has them taken from it.
    redis_store_->set_carrier([this] { return dispatcher_.has_gateway(); },
                              [this](std::vector<store::UnackedPush> pushes) {
                                dispatcher_.take_pushes(std::move(pushes));
                              });
    // Agents connected to any daemon are online on all (auto-assignment,
    // the disconnect grace, the supervisor's view).
    redis_store_->share_presence([this] { return dispatcher_.presence().here(); },
                                 [this](std::vector<auth::AgentSeen> seen) { dispatcher_.presence().elsewhere(seen); });
    // One set of agent accounts for every daemon (`xiaoerd agent` edits it
    // there); this daemon's agents file seeds it.
    redis_store_->share_accounts(*dispatcher_.authenticator().accounts(),
                                 [this](std::shared_ptr<const auth::AgentAccounts> accounts) {
                                   dispatcher_.authenticator().set_accounts(std::move(accounts));
                                 });
    dispatcher_.set_backlog_limit(config_.store.redis_max_backlog, [this] { return redis_store_->backlog(); },
                                  {"store backlog", "requests", "store.redis_max_backlog"});
    redis_store_->set_backlog_observer([this](std::size_t backlog) { dispatcher_.store_backlog(backlog); });
    if (redis_store_->start()) {
      spdlog::info("store: redis {} (keys under '{}'), this daemon is {}", config_.store.redis_url,
                   config_.store.redis_key_prefix, redis_store_->daemon_id());
    } else {
      spdlog::warn("store: redis {} does not answer: serving, with queue changes refused until it does",
                   config_.store.redis_url);
    }
    dispatcher_.set_store_reachable([this] { return redis_store_->available(); });
    metrics_.gauges.push_back({"xiaoer_store_reachable", "1 while the shared store (Redis) answers, else 0.",
                               [this] { return redis_store_->available() ? 1.0 : 0.0; }});
    metrics_.gauges.push_back({"xiaoer_store_commands_in_flight",
                               "Commands sent to the shared store (Redis) and not answered yet.",
                               [this] { return static_cast<double>(redis_store_->commands_in_flight()); }});
    metrics_.gauges.push_back({"xiaoer_store_backlog_requests",
                               "Loads and commits asked of the shared store (Redis) and not answered yet.",
                               [this] { return static_cast<double>(redis_store_->backlog()); }});
    return true;
  }

  // The sample (when on) and the recent messages hear every answered message.
  bool open_traffic_sample() {
    if (config_.sample.keep != traffic::SampleKeep::kOff) {
      std::string error;
      sample_ = traffic::TrafficSample::open(config_.sample, &error);
      if (!sample_) {
        spdlog::error("{}", error);
        return false;
      }
      spdlog::info("traffic sample: {} (unsettled messages, {} % of the others; {} KiB, {} days)", config_.sample.path,
                   config_.sample.settled_percent, config_.sample.max_bytes >> 10, config_.sample.retention_days);
    }
    tap_ = std::make_unique<traffic::TrafficTap>(recent_, sample_.get());
    service_.set_traffic_listener(tap_.get());
    return true;
  }

  // net::AdminHandler: a reload runs on the reload thread and answers from
  // there.
  void on_admin_request(std::string request, net::AdminHandler::Reply reply) override {
    const std::optional<AdminRequest> decoded = decode_admin_request(request);
    if (!decoded || decoded->command != "reload") {
      ReloadReport unknown;
      unknown.errors.push_back("unknown request (this daemon knows {\"command\":\"reload\"})");
      reply(encode(unknown));
      return;
    }
    boost::asio::post(reload_pool_, [this, force = decoded->force, reply = std::move(reply)] {
      reply(encode(reload(force)));
    });
  }

  void add_gauges() {
    if (sample_) {
      metrics_.gauges.push_back({"xiaoer_traffic_sample_lines_dropped", "Sample lines dropped: the writer fell behind.",
                                 [this] { return static_cast<double>(sample_->lines_dropped()); }});
    }
    metrics_.gauges.push_back({"xiaoer_queue_waiting", "Tickets waiting for an agent.",
                               [this] { return static_cast<double>(service_.queue_waiting()); }});
    metrics_.gauges.push_back({"xiaoer_queue_oldest_waiting_seconds", "Age of the oldest waiting ticket.",
                               [this] { return service_.oldest_waiting_seconds(); }});
    metrics_.gauges.push_back(
        {"xiaoer_chats", "Chats held in memory.", [this] { return static_cast<double>(service_.chats()); }});
    metrics_.open_chats_by_agent = [this] { return service_.open_chats_by_agent(); };
    metrics_.gauges.push_back({"xiaoer_outbox_frames", "Pushes waiting for a gateway connection to take them.",
                               [this] { return static_cast<double>(dispatcher_.outbox_size()); }});
    metrics_.gauges.push_back({"xiaoer_pushes_unacknowledged", "Pushes kept until a gateway acknowledges them.",
                               [this] { return static_cast<double>(dispatcher_.pushes_held()); }});
    metrics_.gauges.push_back({"xiaoer_journal_backlog_records",
                               "Journal records handed to the writer and not yet written (and synced when journal.sync "
                               "is always).",
                               [this] { return journal_ ? static_cast<double>(journal_->backlog()) : 0.0; }});
  }

  bool start_client() {
    const auto url = net::parse_ws_url(config_.gateway_url);
    if (!url) {
      spdlog::error("gateway.url '{}' is not a ws:// or wss:// URL", config_.gateway_url);
      return false;
    }
    net::GatewayDialer::Options options;
    options.url = *url;
    if (url->tls) {
      std::string tls_error;
      options.tls = net::make_client_tls(config_.gateway_ca_file, &tls_error);
      if (!options.tls) {
        spdlog::error("gateway.ca_file: {}", tls_error);
        return false;
      }
    }
    Tokens tokens;
    if (!load_tokens(config_, &tokens)) return false;
    options.token = tokens.gateway;
    options.backoff = config_.reconnect;
    client_ = net::make_gateway_client(ioc_, std::move(options), dispatcher_, registry_,
                                       [this] { return *limits_.load(); });
    client_->start();
    return true;
  }

  void on_signal(const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      boost::asio::post(reload_pool_, [this] { reload(/*force=*/false); });
    } else if (!draining_.exchange(true)) {
      spdlog::info("signal {}: draining", signal);
      drain();
      return;
    }
    signals_.async_wait([this](const boost::system::error_code& e, int s) { on_signal(e, s); });
  }

  // Loads everything aside and swaps it in only if all of it loaded, no
  // restart-only option changed and the guard lets it through (or `force`).
  // On the reload thread.
  ReloadReport reload(bool force) {
    notifier_.reloading();
    ReloadReport report;
    const auto fail = [&](std::string why) {
      spdlog::error("reload: {}", why);
      report.errors.push_back(std::move(why));
      metrics_.reloads_failed.add();
      notifier_.ready("serving (reload failed, old set kept)");
      return report;
    };
    LoadedConfig loaded = load_config(config_path_);
    if (common::has_errors(loaded.diagnostics)) {
      print(loaded.diagnostics, &report.errors);
      return fail("the config has errors; keeping the running set");
    }
    const Config& next = loaded.config;
    // All or nothing: a change only a restart can apply refuses the reload,
    // rather than applying the rest and leaving the file lying about the
    // daemon.
    if (const std::vector<std::string> changes = restart_only_changes(config_, next); !changes.empty()) {
      for (const std::string& change : changes) {
        spdlog::error("reload: {}", change);
        report.errors.push_back(change);
      }
      return fail("refused; keeping the running set");
    }
    Reloaded reloaded;
    if (!load_tokens(next, &reloaded.tokens)) return fail("tokens missing; keeping the running set");
    engine::Engine::LoadResult engine = engine::Engine::load(next.engine);
    print(engine.diagnostics, &report.errors);
    if (!engine.engine) return fail("intents, shop facts or the catalogue have errors; keeping the running set");
    reloaded.engine = engine.engine;
    reloaded.accounts = load_agent_accounts(next, config_path_);
    if (!reloaded.accounts) return fail("the agents file has errors; keeping the running set");
    // A renewed certificate (same files, new contents) serves the next TLS
    // connections.
    if (!next.tls_cert.empty()) {
      std::string tls_error;
      reloaded.tls = net::make_server_tls(next.tls_cert, next.tls_key, &tls_error);
      if (!reloaded.tls) return fail("tls: " + tls_error + "; keeping the running set");
    }
    ReloadImpact impact = weigh_reload(*engines_.snapshot(), *engine.engine, recent_.snapshot(),
                                       next.reload.max_changed_share, force);
    report.messages = impact.messages;
    report.changed = impact.changed;
    report.summary = std::move(impact.summary);
    if (impact.refused) {
      report.refused = true;
      return fail(impact.why + "; keeping the running set");
    }
    for (const Consumer consumer : reload_consumers()) apply(consumer, next, reloaded);
    config_ = next;
    report.ok = true;
    report.intents = engine.engine->intent_set().intents().size();
    report.rules = engine.engine->intent_set().rules().size();
    spdlog::info("reload: {} intents, {} rules in service; {} of the {} recent answers changed{}", report.intents,
                 report.rules, report.changed, report.messages, force ? " (forced)" : "");
    metrics_.reloads_ok.add();
    notifier_.ready("serving (reloaded)");
    return report;
  }

  // What a reload prepared: the parts that load from files.
  struct Reloaded {
    Tokens tokens;
    std::shared_ptr<const engine::Engine> engine;
    std::shared_ptr<boost::asio::ssl::context> tls;  // null without TLS
    std::shared_ptr<const auth::AgentAccounts> accounts;
  };

  // Puts the reloadable options of `consumer` in service (the config table
  // says which options each takes).
  void apply(Consumer consumer, const Config& next, Reloaded& reloaded) {
    switch (consumer) {
      case Consumer::kStart:
        break;
      case Consumer::kTls:
        if (reloaded.tls) listener_->set_tls(std::move(reloaded.tls));
        break;
      case Consumer::kTokens:
        dispatcher_.set_tokens(std::move(reloaded.tokens));
        break;
      case Consumer::kEngine:
        engines_.publish(reloaded.engine);
        break;
      case Consumer::kChat:
        service_.set_options(next.chat);
        journal_store_.set_options(store_options(next));
        dispatcher_.set_push_expiry(next.chat.push_expire_after_ms);
        break;
      case Consumer::kSessions:
        limits_.store(std::make_shared<const net::SessionLimits>(next.session));
        break;
      case Consumer::kDecoder:
        dispatcher_.set_limits(next.decode);
        break;
      case Consumer::kLogging:
        setup_logging(next.log_level, next.log_format);
        break;
      case Consumer::kReloadGuard:  // read from the file by each reload
        break;
      case Consumer::kConsole:
        // On Redis the accounts are Redis's: read again, not the file's.
        if (redis_store_) {
          redis_store_->reload_accounts();
        } else {
          dispatcher_.authenticator().set_accounts(std::move(reloaded.accounts));
        }
        dispatcher_.authenticator().set_console(next.console);
        journal_store_.set_options(store_options(next));
        break;
    }
  }

  void drain() {
    dispatcher_.set_ready(false);
    notifier_.stopping();
    listener_->stop();
    admin_->stop();
    if (client_) client_->stop();
    // The journal delivers the answers in flight (its callbacks post them to
    // their sessions); then every connection closes after its queue.
    boost::asio::post(reload_pool_, [this] {
      if (journal_) journal_->flush();
      boost::asio::post(ioc_, [this] {
        registry_.close_all();
        drain_deadline_ = std::chrono::steady_clock::now() + kDrainGrace;
        wait_for_connections();
      });
    });
  }

  void wait_for_connections() {
    if (registry_.size() == 0 || std::chrono::steady_clock::now() >= drain_deadline_) {
      if (registry_.size() > 0) spdlog::warn("{} connections did not close in time", registry_.size());
      ioc_.stop();
      return;
    }
    drain_timer_.expires_after(20ms);
    drain_timer_.async_wait([this](const boost::system::error_code&) { wait_for_connections(); });
  }

  // The tick runs on the housekeeping thread (tick_timer_ lives there).
  void schedule_tick() {
    tick_timer_.expires_after(kTickInterval);
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      service_.tick();
      dispatcher_.tick(clock_.now_ms());
      schedule_tick();
    });
  }

  // WATCHDOG=1 comes from the event loop itself: a stuck loop stops it.
  void schedule_watchdog() {
    const auto interval = notifier_.watchdog_interval();
    if (!interval) return;
    watchdog_timer_.expires_after(*interval);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      notifier_.watchdog();
      schedule_watchdog();
    });
  }

  std::string config_path_;
  Config config_;
  common::Metrics metrics_;
  chat::SystemClock clock_;
  engine::EngineStore engines_;
  // Before the service and the journal: their last callbacks reach the tap.
  traffic::RecentMessages recent_;
  std::unique_ptr<traffic::TrafficSample> sample_;  // null when sample.keep is off
  std::unique_ptr<traffic::TrafficTap> tap_;
  Dispatcher dispatcher_;
  store::JournalStore journal_store_;  // unused with store.backend: redis
  std::unique_ptr<store::redis::RedisStore> redis_store_;  // null with store.backend: journal
  store::Store& store_;  // the one of the two in service
  service::ChatService service_;
  service::StockService stock_;
  // Destroyed first: its last callbacks use the store and the service.
  std::unique_ptr<store::Journal> journal_;
  net::ConnectionRegistry registry_;
  std::atomic<std::shared_ptr<const net::SessionLimits>> limits_;
  boost::asio::io_context ioc_;
  boost::asio::signal_set signals_;
  // The periodic work (courtesy notices, chat expiry, journal compaction) has
  // a thread of its own, like redis's bio threads: on an I/O thread its scans,
  // which grow with the chats and tickets held, stalled every connection of
  // that thread once a second (issue 9's latency knee).
  boost::asio::thread_pool housekeeping_{1};
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer drain_timer_;
  boost::asio::thread_pool reload_pool_{1};
  std::shared_ptr<net::Listener> listener_;
  std::shared_ptr<net::AdminSocket> admin_;
  std::shared_ptr<net::GatewayDialer> client_;
  SdNotifier notifier_;
  std::atomic<bool> draining_{false};
  std::chrono::steady_clock::time_point drain_deadline_;
};

}  // namespace

int serve(const std::string& config_path) {
  // Errors, not signals: a closed peer is EPIPE, a file-size limit EFBIG.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  LoadedConfig loaded = load_config(config_path);
  setup_logging(loaded.config.log_level, loaded.config.log_format);
  if (common::has_errors(loaded.diagnostics)) {
    print(loaded.diagnostics);
    spdlog::error("{}: fix the errors above", config_path);
    return 1;
  }
  if (loaded.config.store.backend == StoreBackend::kRedis) {
    std::string error;
    if (!store::redis::parse_redis_url(loaded.config.store.redis_url, &error)) {
      spdlog::error("{}: store.redis_url: {}", config_path, error);
      return 1;
    }
  }
  Tokens tokens;
  if (!load_tokens(loaded.config, &tokens)) return 1;
  engine::Engine::LoadResult engine = engine::Engine::load(loaded.config.engine);
  print(engine.diagnostics);
  if (!engine.engine) {
    spdlog::error("intents, shop facts or the catalogue have errors: not starting (run xiaoerd check)");
    return 1;
  }
  spdlog::info("xiaoerd: {} intents, {} rules", engine.engine->intent_set().intents().size(),
               engine.engine->intent_set().rules().size());
  std::shared_ptr<const auth::AgentAccounts> accounts = load_agent_accounts(loaded.config, config_path);
  if (!accounts) {
    spdlog::error("the agents file has errors: not starting");
    return 1;
  }
  Daemon daemon(config_path, std::move(loaded.config), std::move(engine.engine), std::move(tokens),
                std::move(accounts));
  return daemon.run();
}

}  // namespace xiaoer::app
