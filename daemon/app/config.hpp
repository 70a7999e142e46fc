// Config: the daemon's settings (config/xiaoerd.yaml, every key documented
// in docs/operations.md). Plain data with its defaults written here; parsed
// once by load_config() and passed to what needs it. No global config.
//
// "restart" fields take effect at start only; "reload" fields are re-read
// on SIGHUP along with the intents and shop facts.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/common/diagnostic.hpp"
#include "daemon/store/journal/journal.hpp"

namespace xiaoer::app {

enum class GatewayMode { kServer, kClient };
enum class LogFormat { kText, kJson };

// Where a token comes from: the environment variable if set, else the
// first line of the file; a missing file is created with a random token.
struct TokenSource {
  std::string env;
  std::string file;
};

struct Config {
  // restart
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 0;  // 0: one per core
  std::string tls_cert;  // both set: wss:// and https://
  std::string tls_key;
  GatewayMode gateway_mode = GatewayMode::kServer;
  std::string gateway_url;  // client mode: ws://host:port/path or wss://…
  std::string gateway_ca_file;  // wss:// client mode: "" = the system's trust store
  int reconnect_min_ms = 200;
  int reconnect_max_ms = 10000;
  std::string journal_path = "state/journal.log";
  store::SyncPolicy journal_sync = store::SyncPolicy::kAlways;
  std::int64_t compact_after_bytes = 64ll << 20;
  std::int64_t max_connections = 10000;

  // reload
  TokenSource gateway_token{"XIAOER_GATEWAY_TOKEN", "state/gateway.token"};
  TokenSource agent_token{"XIAOER_AGENT_TOKEN", "state/agent.token"};
  std::string intents_dir = "intents";
  std::string shop_file = "config/shop.yaml";
  std::string opencc_dictionary = "/usr/share/opencc/TSCharacters.ocd2";
  std::int64_t engine_max_mem = 64ll << 20;
  std::int64_t max_frame_bytes = 64 * 1024;
  std::int64_t max_text_bytes = 4096;
  double messages_per_chat_per_second = 5;
  int message_burst = 10;
  int idle_timeout_s = 300;
  int handshake_timeout_s = 10;
  std::int64_t max_outbound_frames = 1024;
  int chat_expire_after_s = 3600;
  int answered_window = 8;
  int transcript_lines = 8;
  int notice_after_s = 120;
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;
};

struct LoadedConfig {
  Config config;
  common::Diagnostics diagnostics;
};

// Reads `path`; every field is checked (type, range, unknown keys) and
// reported with file:line:col.
LoadedConfig load_config(const std::string& path);
LoadedConfig load_config_source(const std::string& file_name, std::string_view text);

// The token of `source` (see TokenSource); "" with `error` set when neither
// the environment nor the file gives one and the file cannot be created.
std::string resolve_token(const TokenSource& source, std::string* error);

}  // namespace xiaoer::app
