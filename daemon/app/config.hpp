// Config: the daemon's settings (config/xiaoerd.yaml, every key documented
// in docs/operations.md). Plain data, parsed once by load_config() and passed
// to what needs it; no global config.
//
// Each option is declared once, in the config table (config_table.hpp): its
// name, range, reload or restart, and what applies it. Its default is written
// once: here for the daemon's own settings, else in the struct of the layer
// that uses it (SessionLimits, ChatOptions, DecodeLimits, EngineSources,
// JournalOptions), which Config holds whole.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/chat/chat_options.hpp"
#include "daemon/common/diagnostic.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/net/message_handler.hpp"
#include "daemon/net/reconnect_backoff.hpp"
#include "daemon/proto/codec.hpp"
#include "daemon/store/journal/journal.hpp"
#include "daemon/traffic/traffic_sample.hpp"

namespace xiaoer::app {

enum class GatewayMode { kServer, kClient };
enum class LogFormat { kText, kJson };

// Where a token comes from: the environment variable if set, else the
// first line of the file; a missing file is created with a random token.
struct TokenSource {
  std::string env;
  std::string file;
};

// What a reload checks before it swaps the engine (docs/tuning.md).
struct ReloadOptions {
  // Buyer messages kept in memory (never on disk) to replay at a reload.
  int recent_messages = 1000;
  // A reload that would change more than this share of their answers is
  // refused, unless forced (`xiaoerd reload --force`).
  double max_changed_share = 0.5;
};

// The agents' console (docs/console.md): accounts, login sessions, the page.
struct ConsoleOptions {
  std::string agents_file;  // "": agents.yaml beside the config file
  std::string dir = "console";  // the page's static files
  // The origin the page is served from ("https://cs.example.com"); "": the
  // daemon's own (the request's Host, with the scheme the connection uses).
  std::string origin;
  bool secure_cookie = false;  // Secure even without TLS here (behind a TLS proxy)
  std::int64_t session_ttl_ms = 12 * 3600 * 1000;
  // The login sessions, kept across restarts (hashes only); "": memory only.
  std::string sessions_file = "state/console.sessions";
  std::string canned_file = "config/canned.yaml";  // canned replies (快捷短语)
  // An agent's text that breaks the bot's compliance rules: warned in the
  // page before sending, or refused by the daemon too.
  bool block_noncompliant = false;
  std::int64_t history_ms = 30ll * 86400 * 1000;  // how far back the history reaches
  // A new ticket goes to the online agent with the most free capacity.
  bool auto_assign = false;
  // An agent with no console connection and no request for this long loses
  // the tickets it has not answered (back in line); 0: never.
  std::int64_t disconnect_grace_ms = 600 * 1000;
};

// Where the chats and the queue are kept (store.*; docs/operations.md):
// the journal in this process, or Redis shared by several daemons.
enum class StoreBackend { kJournal, kRedis };
struct StoreConfig {
  StoreBackend backend = StoreBackend::kJournal;
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string redis_key_prefix = "xiaoer.";
  int redis_timeout_ms = 1000;          // a command's reply
  int redis_connect_timeout_ms = 1000;  // a connect
  // Loads and commits not answered yet at which connections stop reading.
  std::size_t redis_max_backlog = 1000;
};

struct Config {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 0;  // 0: one per core
  std::string tls_cert;  // both set: wss:// and https://
  std::string tls_key;
  GatewayMode gateway_mode = GatewayMode::kServer;
  std::string gateway_url;  // client mode: ws://host:port/path or wss://…
  std::string gateway_ca_file;  // wss:// client mode: "" = the system's trust store
  net::ReconnectBackoff reconnect;  // gateway.reconnect_*
  TokenSource gateway_token{"XIAOER_GATEWAY_TOKEN", "state/gateway.token"};
  TokenSource agent_token{"XIAOER_AGENT_TOKEN", "state/agent.token"};
  TokenSource admin_token{"XIAOER_ADMIN_TOKEN", "state/admin.token"};  // the stock API
  engine::EngineSources engine;  // paths.*, engine.max_mem_mb
  store::JournalOptions journal{.path = "state/journal.log"};
  StoreConfig store;  // store.*
  chat::ChatOptions chat;      // queue.*, chats.*, journal.compact_after_mb, the rate limit
  net::SessionLimits session;  // the connections' limits
  proto::DecodeLimits decode;  // limits.text_bytes
  ConsoleOptions console;
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;
  traffic::TrafficSampleOptions sample;  // sample.*
  std::string admin_socket = "state/admin.sock";
  ReloadOptions reload;  // reload.*
};

struct LoadedConfig {
  Config config;
  common::Diagnostics diagnostics;
};

// The agents file of the config at `config_path`: console.agents_file if
// set (relative to the working directory, like the other paths), else
// agents.yaml beside the config file.
std::string agents_file(const Config& config, const std::string& config_path);

// Reads `path`; every option is checked (type, range, unknown keys) and
// reported with file:line:col.
LoadedConfig load_config(const std::string& path);
LoadedConfig load_config_source(const std::string& file_name, std::string_view text);

// The token of `source` (see TokenSource); "" with `error` set when neither
// the environment nor the file gives one and the file cannot be created.
std::string resolve_token(const TokenSource& source, std::string* error);

}  // namespace xiaoer::app
