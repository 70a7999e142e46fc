// The config table: every option of xiaoerd.yaml declared once (redis's
// static_configs[]), with its dotted name, its type and range, whether a
// reload applies it or only a restart does, and what applies it. Its default
// is the value of a default-constructed Config, whose fields take theirs from
// the layer that uses them (net::SessionLimits, chat::ChatOptions, …).
//
// The loader reads every option through this table, the reload check
// compares old and new by it, `xiaoerd options` prints it, and a test checks
// the shipped config/xiaoerd.yaml against it.
//
// Thread safety: immutable; share freely.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/app/config.hpp"

namespace YAML {
class Node;
}
namespace xiaoer::common {
class YamlReader;
}

namespace xiaoer::app {

// When a changed value takes effect.
enum class Apply { kRestart, kReload };

// What a reload calls to apply an option (Daemon::apply in app.cpp has one
// case for each); kStart for options read at start only.
enum class Consumer {
  kStart,     // listener, threads, gateway dialer, journal
  kTls,       // the listener's TLS context (files re-read)
  kTokens,    // the dispatcher's tokens (files re-read)
  kEngine,    // intents, shop facts, OpenCC, RE2 budget: a new engine
  kChat,      // ChatService::set_options
  kSessions,  // the limits new connections take
  kDecoder,   // the dispatcher's decode limits
  kLogging,   // setup_logging
  kReloadGuard,  // read by each reload from the file it loads
  kConsole,   // agent accounts (file re-read), the console's page, origin, cookies
};

struct ConfigOption {
  std::string_view name;  // dotted YAML path: "limits.frame_bytes"
  Apply apply;
  Consumer consumer;
  // Reads `node` (present) into `config`; reports a wrong type or range at
  // the node (file:line:col) and returns false, leaving `config` unchanged.
  bool (*read)(const ConfigOption& self, const YAML::Node& node, common::YamlReader& reader, Config& config);
  // The option's value in `config` as the file writes it ("64", "always", "\"\"").
  std::string (*show)(const ConfigOption& self, const Config& config);
  // What the file may say, for people: "1 to 4096", "always, batch or never".
  std::string (*range)(const ConfigOption& self);
  // Numbers only: the bounds (a number's lower one is exclusive), and what
  // one unit in the file is in the field (1 << 20 for _mb kept in bytes).
  long long min = 0;
  long long max = 0;
  long long unit = 1;
};

// Every option, in the order of config/xiaoerd.yaml.
std::span<const ConfigOption> config_table();

// The option named `name`, or null.
const ConfigOption* find_option(std::string_view name);

// The value `option` has when the file does not set it.
std::string default_value(const ConfigOption& option);

// The consumers of the reloadable options, each once, in table order: what
// a reload applies.
std::vector<Consumer> reload_consumers();

// Why `next` cannot be applied by a reload of a daemon started with
// `running`: one line per restart-only option that differs, naming it, its
// running value and the new one (empty: the reload may go ahead).
std::vector<std::string> restart_only_changes(const Config& running, const Config& next);

// The table as text, one option a line: name, reload or restart, range,
// default (`xiaoerd options`).
std::string describe_config_table();

}  // namespace xiaoer::app
