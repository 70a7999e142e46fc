#include "daemon/app/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::app {
namespace {

using common::YamlReader;

class ConfigReader {
 public:
  ConfigReader(const std::string& file, LoadedConfig& loaded) : reader_(file, loaded.diagnostics), c_(loaded.config) {}

  void read(std::string_view text) {
    const std::optional<YAML::Node> root = reader_.parse(text);
    if (!root || root->IsNull()) return;
    if (!reader_.check_map(*root, "the config",
                           {"listen", "threads", "tls", "gateway", "tokens", "paths", "journal", "limits", "chats",
                            "queue", "engine", "log"})) {
      return;
    }
    const YAML::Node& r = *root;
    if (const auto n = section(r, "listen", {"address", "port"})) {
      str(n["address"], "listen.address", &c_.listen_address);
      int port = c_.port;
      if (n["port"] && reader_.read_int(n["port"], "listen.port", 0, 65535, &port)) c_.port = static_cast<std::uint16_t>(port);
    }
    if (r["threads"]) reader_.read_int(r["threads"], "threads", 0, 256, &c_.threads);
    if (const auto n = section(r, "tls", {"cert", "key"})) {
      str(n["cert"], "tls.cert", &c_.tls_cert);
      str(n["key"], "tls.key", &c_.tls_key);
      if (c_.tls_cert.empty() != c_.tls_key.empty()) reader_.error(n, "tls needs both cert and key");
    }
    if (const auto n = section(r, "gateway", {"mode", "url", "ca_file", "reconnect_min_ms", "reconnect_max_ms"})) {
      std::string mode;
      if (str(n["mode"], "gateway.mode", &mode)) {
        if (mode == "server") {
          c_.gateway_mode = GatewayMode::kServer;
        } else if (mode == "client") {
          c_.gateway_mode = GatewayMode::kClient;
        } else {
          reader_.error(n["mode"], "gateway.mode must be server or client, not '" + mode + "'");
        }
      }
      str(n["url"], "gateway.url", &c_.gateway_url);
      str(n["ca_file"], "gateway.ca_file", &c_.gateway_ca_file);
      integer(n["reconnect_min_ms"], "gateway.reconnect_min_ms", 10, 600000, &c_.reconnect_min_ms);
      integer(n["reconnect_max_ms"], "gateway.reconnect_max_ms", 10, 3600000, &c_.reconnect_max_ms);
      if (c_.gateway_mode == GatewayMode::kClient && c_.gateway_url.rfind("ws://", 0) != 0 &&
          c_.gateway_url.rfind("wss://", 0) != 0) {
        reader_.error(n, "gateway.mode client needs gateway.url ws://… or wss://…");
      }
    }
    if (const auto n = section(r, "tokens", {"gateway", "agent"})) {
      token(n["gateway"], "tokens.gateway", &c_.gateway_token);
      token(n["agent"], "tokens.agent", &c_.agent_token);
    }
    if (const auto n = section(r, "paths", {"intents", "shop", "opencc"})) {
      str(n["intents"], "paths.intents", &c_.intents_dir);
      str(n["shop"], "paths.shop", &c_.shop_file);
      str(n["opencc"], "paths.opencc", &c_.opencc_dictionary);
    }
    if (const auto n = section(r, "journal", {"path", "sync", "compact_after_mb"})) {
      str(n["path"], "journal.path", &c_.journal_path);
      std::string sync;
      if (str(n["sync"], "journal.sync", &sync)) {
        if (sync == "always") {
          c_.journal_sync = store::SyncPolicy::kAlways;
        } else if (sync == "batch") {
          c_.journal_sync = store::SyncPolicy::kBatch;
        } else if (sync == "never") {
          c_.journal_sync = store::SyncPolicy::kNever;
        } else {
          reader_.error(n["sync"], "journal.sync must be always, batch or never, not '" + sync + "'");
        }
      }
      megabytes(n["compact_after_mb"], "journal.compact_after_mb", 1, 65536, &c_.compact_after_bytes);
    }
    if (const auto n = section(r, "limits",
                               {"frame_bytes", "text_bytes", "connections", "messages_per_chat_per_second", "burst",
                                "idle_timeout_s", "handshake_timeout_s", "outbound_frames"})) {
      integer(n["frame_bytes"], "limits.frame_bytes", 256, 16ll << 20, &c_.max_frame_bytes);
      integer(n["text_bytes"], "limits.text_bytes", 16, 1ll << 20, &c_.max_text_bytes);
      integer(n["connections"], "limits.connections", 1, 1000000, &c_.max_connections);
      if (const YAML::Node m = n["messages_per_chat_per_second"]) {
        double rate = 0;
        // Written so that NaN fails too.
        if (!m.IsScalar() || !YAML::convert<double>::decode(m, rate) || !(rate > 0 && rate <= 10000)) {
          reader_.error(m, "limits.messages_per_chat_per_second must be a number from 0 (exclusive) to 10000");
        } else {
          c_.messages_per_chat_per_second = rate;
        }
      }
      integer(n["burst"], "limits.burst", 1, 10000, &c_.message_burst);
      integer(n["idle_timeout_s"], "limits.idle_timeout_s", 1, 86400, &c_.idle_timeout_s);
      integer(n["handshake_timeout_s"], "limits.handshake_timeout_s", 1, 600, &c_.handshake_timeout_s);
      integer(n["outbound_frames"], "limits.outbound_frames", 16, 1000000, &c_.max_outbound_frames);
    }
    if (const auto n = section(r, "chats", {"expire_after_s", "answered_window", "transcript_lines"})) {
      integer(n["expire_after_s"], "chats.expire_after_s", 10, 30 * 86400, &c_.chat_expire_after_s);
      integer(n["answered_window"], "chats.answered_window", 1, 10000, &c_.answered_window);
      integer(n["transcript_lines"], "chats.transcript_lines", 1, 1000, &c_.transcript_lines);
    }
    if (const auto n = section(r, "queue", {"notice_after_s"})) {
      integer(n["notice_after_s"], "queue.notice_after_s", 1, 86400, &c_.notice_after_s);
    }
    if (const auto n = section(r, "engine", {"max_mem_mb"})) {
      megabytes(n["max_mem_mb"], "engine.max_mem_mb", 1, 4096, &c_.engine_max_mem);
    }
    if (const auto n = section(r, "log", {"level", "format"})) {
      if (str(n["level"], "log.level", &c_.log_level)) {
        static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
        if (std::find(std::begin(kLevels), std::end(kLevels), c_.log_level) == std::end(kLevels)) {
          reader_.error(n["level"], "log.level must be trace, debug, info, warn, error, critical or off");
        }
      }
      std::string format;
      if (str(n["format"], "log.format", &format)) {
        if (format == "text") {
          c_.log_format = LogFormat::kText;
        } else if (format == "json") {
          c_.log_format = LogFormat::kJson;
        } else {
          reader_.error(n["format"], "log.format must be text or json");
        }
      }
    }
  }

 private:
  YAML::Node section(const YAML::Node& root, const char* name, std::initializer_list<std::string_view> keys) {
    const YAML::Node n = root[name];
    if (!n) return YAML::Node(YAML::NodeType::Undefined);
    if (!reader_.check_map(n, name, keys)) return YAML::Node(YAML::NodeType::Undefined);
    return n;
  }

  bool str(const YAML::Node& n, std::string_view what, std::string* out) {
    return n && reader_.read_string(n, what, out);
  }

  template <typename T>
  void integer(const YAML::Node& n, std::string_view what, long long min, long long max, T* out) {
    long long value = 0;
    if (n && reader_.read_int(n, what, min, max, &value)) *out = static_cast<T>(value);
  }

  void megabytes(const YAML::Node& n, std::string_view what, long long min, long long max, std::int64_t* out) {
    long long value = 0;
    if (n && reader_.read_int(n, what, min, max, &value)) *out = value << 20;
  }

  void token(const YAML::Node& n, const std::string& what, TokenSource* out) {
    if (!n || !reader_.check_map(n, what, {"env", "file"})) return;
    str(n["env"], what + ".env", &out->env);
    str(n["file"], what + ".file", &out->file);
  }

  YamlReader reader_;
  Config& c_;
};

std::string random_token() {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 32; ++i) token += kHex[device() % 16];
  return token;
}

}  // namespace

LoadedConfig load_config_source(const std::string& file_name, std::string_view text) {
  LoadedConfig loaded;
  try {
    ConfigReader(file_name, loaded).read(text);
  } catch (const YAML::Exception& e) {
    loaded.diagnostics.push_back({{file_name, e.mark.line + 1, e.mark.column + 1}, e.msg});
  }
  return loaded;
}

LoadedConfig load_config(const std::string& path) {
  std::string text;
  if (!common::read_file(path, &text)) {
    LoadedConfig loaded;
    loaded.diagnostics.push_back({{path, 0, 0}, "cannot read config file"});
    return loaded;
  }
  return load_config_source(path, text);
}

std::string resolve_token(const TokenSource& source, std::string* error) {
  if (!source.env.empty()) {
    if (const char* value = std::getenv(source.env.c_str()); value != nullptr && *value != '\0') return value;
  }
  if (source.file.empty()) {
    *error = "no token: set $" + source.env + " or a token file";
    return "";
  }
  std::ifstream in(source.file);
  std::string line;
  if (in && std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) return line;
  }
  // First start: make a token only this user can read.
  std::error_code ec;
  const auto parent = std::filesystem::path(source.file).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string token = random_token();
  const int fd = ::open(source.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = source.file + ": cannot create token file";
    return "";
  }
  const std::string content = token + "\n";
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok) {
    *error = source.file + ": cannot write token file";
    return "";
  }
  return token;
}

}  // namespace xiaoer::app
