#include "daemon/app/config_table.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <type_traits>
#include <utility>

#include "daemon/common/yaml_reader.hpp"

// Each row is made by one of four factories (integer, number, text, choice)
// from a field accessor: a captureless lambda `[](auto& c) -> auto& {…}`
// naming the Config field, so one row both reads the option into a Config
// and shows it back. The factories turn it into plain function pointers.

namespace xiaoer::app {
namespace {

using common::YamlReader;

template <typename T>
struct IsDuration : std::false_type {};
template <typename Rep, typename Period>
struct IsDuration<std::chrono::duration<Rep, Period>> : std::true_type {};

template <typename T>
void store(T& field, long long value) {
  if constexpr (IsDuration<T>::value) {
    field = T(value);
  } else {
    field = static_cast<T>(value);
  }
}

template <typename T>
long long load(const T& field) {
  if constexpr (IsDuration<T>::value) {
    return static_cast<long long>(field.count());
  } else {
    return static_cast<long long>(field);
  }
}

// "a, b or c"
template <std::size_t N, typename T>
std::string one_of(const std::array<std::pair<std::string_view, T>, N>& choices) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += choices[i].first;
  }
  return out;
}

// A whole number from self.min to self.max in the file, self.unit times that
// in the field (a size in MiB kept in bytes, seconds kept in ms).
template <typename Field>
constexpr ConfigOption integer(std::string_view name, Apply apply, Consumer consumer, long long min, long long max,
                               Field, long long unit = 1) {
  return {name,
          apply,
          consumer,
          [](const ConfigOption& self, const YAML::Node& node, YamlReader& reader, Config& config) {
            long long value = 0;
            if (!reader.read_int(node, self.name, self.min, self.max, &value)) return false;
            store(Field{}(config), value * self.unit);
            return true;
          },
          [](const ConfigOption& self, const Config& config) { return std::to_string(load(Field{}(config)) / self.unit); },
          [](const ConfigOption& self) { return std::to_string(self.min) + " to " + std::to_string(self.max); },
          min,
          max,
          unit};
}

// A number above self.min, at most self.max.
template <typename Field>
constexpr ConfigOption number(std::string_view name, Apply apply, Consumer consumer, long long min, long long max,
                              Field) {
  return {name,
          apply,
          consumer,
          [](const ConfigOption& self, const YAML::Node& node, YamlReader& reader, Config& config) {
            double value = 0;
            // Written so that NaN fails too.
            if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) ||
                !(value > static_cast<double>(self.min) && value <= static_cast<double>(self.max))) {
              reader.error(node, std::string(self.name) + " must be a number from " + std::to_string(self.min) +
                                     " (exclusive) to " + std::to_string(self.max));
              return false;
            }
            Field{}(config) = value;
            return true;
          },
          [](const ConfigOption&, const Config& config) {
            std::array<char, 32> buffer{};
            const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), Field{}(config)).ptr;
            return std::string(buffer.data(), end);
          },
          [](const ConfigOption& self) {
            return "above " + std::to_string(self.min) + ", up to " + std::to_string(self.max);
          },
          min,
          max,
          1};
}

// Any string (a path, a URL, an address, a variable's name).
template <typename Field>
constexpr ConfigOption text(std::string_view name, Apply apply, Consumer consumer, Field) {
  return {name,
          apply,
          consumer,
          [](const ConfigOption& self, const YAML::Node& node, YamlReader& reader, Config& config) {
            return reader.read_string(node, self.name, &Field{}(config));
          },
          [](const ConfigOption&, const Config& config) {
            const std::string& value = Field{}(config);
            return value.empty() ? std::string("\"\"") : value;
          },
          [](const ConfigOption&) { return std::string("text"); },
          0,
          0,
          1};
}

// One of the names in `kChoices`, each standing for a value of the field.
template <const auto& kChoices, typename Field>
constexpr ConfigOption choice(std::string_view name, Apply apply, Consumer consumer, Field) {
  return {name,
          apply,
          consumer,
          [](const ConfigOption& self, const YAML::Node& node, YamlReader& reader, Config& config) {
            std::string value;
            if (!reader.read_string(node, self.name, &value)) return false;
            for (const auto& [word, meaning] : kChoices) {
              if (word == value) {
                auto& field = Field{}(config);
                field = static_cast<std::remove_cvref_t<decltype(field)>>(meaning);
                return true;
              }
            }
            reader.error(node, std::string(self.name) + " must be " + one_of(kChoices) + ", not '" + value + "'");
            return false;
          },
          [](const ConfigOption&, const Config& config) {
            for (const auto& [word, meaning] : kChoices) {
              if (Field{}(config) == meaning) return std::string(word);
            }
            return std::string("?");
          },
          [](const ConfigOption&) { return one_of(kChoices); },
          0,
          0,
          1};
}

constexpr std::array<std::pair<std::string_view, GatewayMode>, 2> kGatewayModes{
    {{"server", GatewayMode::kServer}, {"client", GatewayMode::kClient}}};
constexpr std::array<std::pair<std::string_view, store::SyncPolicy>, 3> kSyncPolicies{
    {{"always", store::SyncPolicy::kAlways}, {"batch", store::SyncPolicy::kBatch}, {"never", store::SyncPolicy::kNever}}};
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kLogLevels{{{"trace", "trace"},
                                                                                  {"debug", "debug"},
                                                                                  {"info", "info"},
                                                                                  {"warn", "warn"},
                                                                                  {"error", "error"},
                                                                                  {"critical", "critical"},
                                                                                  {"off", "off"}}};
constexpr std::array<std::pair<std::string_view, LogFormat>, 2> kLogFormats{
    {{"text", LogFormat::kText}, {"json", LogFormat::kJson}}};

constexpr std::array<std::pair<std::string_view, traffic::SampleKeep>, 2> kSampleKeeps{
    {{"off", traffic::SampleKeep::kOff}, {"unsettled", traffic::SampleKeep::kUnsettled}}};
constexpr std::array<std::pair<std::string_view, bool>, 2> kBooleans{{{"false", false}, {"true", true}}};
constexpr std::array<std::pair<std::string_view, bool>, 2> kComplianceModes{{{"warn", false}, {"block", true}}};

constexpr std::array<std::pair<std::string_view, StoreBackend>, 2> kStoreBackends{
    {{"journal", StoreBackend::kJournal}, {"redis", StoreBackend::kRedis}}};

constexpr long long kMiB = 1 << 20;
constexpr long long kKiB = 1 << 10;
constexpr long long kSecond = 1000;  // in a field kept in ms

using enum Apply;
using enum Consumer;

// In the order of config/xiaoerd.yaml.
const ConfigOption kTable[] = {
    text("listen.address", kRestart, kStart, [](auto& c) -> auto& { return c.listen_address; }),
    integer("listen.port", kRestart, kStart, 0, 65535, [](auto& c) -> auto& { return c.port; }),
    integer("threads", kRestart, kStart, 0, 256, [](auto& c) -> auto& { return c.threads; }),
    text("tls.cert", kReload, kTls, [](auto& c) -> auto& { return c.tls_cert; }),
    text("tls.key", kReload, kTls, [](auto& c) -> auto& { return c.tls_key; }),
    choice<kGatewayModes>("gateway.mode", kRestart, kStart, [](auto& c) -> auto& { return c.gateway_mode; }),
    text("gateway.url", kRestart, kStart, [](auto& c) -> auto& { return c.gateway_url; }),
    text("gateway.ca_file", kRestart, kStart, [](auto& c) -> auto& { return c.gateway_ca_file; }),
    integer("gateway.reconnect_min_ms", kRestart, kStart, 10, 600000,
            [](auto& c) -> auto& { return c.reconnect.min; }),
    integer("gateway.reconnect_max_ms", kRestart, kStart, 10, 3600000,
            [](auto& c) -> auto& { return c.reconnect.max; }),
    text("tokens.gateway.env", kReload, kTokens, [](auto& c) -> auto& { return c.gateway_token.env; }),
    text("tokens.gateway.file", kReload, kTokens, [](auto& c) -> auto& { return c.gateway_token.file; }),
    text("tokens.agent.env", kReload, kTokens, [](auto& c) -> auto& { return c.agent_token.env; }),
    text("tokens.agent.file", kReload, kTokens, [](auto& c) -> auto& { return c.agent_token.file; }),
    text("tokens.admin.env", kReload, kTokens, [](auto& c) -> auto& { return c.admin_token.env; }),
    text("tokens.admin.file", kReload, kTokens, [](auto& c) -> auto& { return c.admin_token.file; }),
    text("paths.intents", kReload, kEngine, [](auto& c) -> auto& { return c.engine.intents_dir; }),
    text("paths.shop", kReload, kEngine, [](auto& c) -> auto& { return c.engine.shop_file; }),
    text("paths.catalogue", kReload, kEngine, [](auto& c) -> auto& { return c.engine.catalogue; }),
    text("paths.opencc", kReload, kEngine, [](auto& c) -> auto& { return c.engine.opencc_dictionary; }),
    integer("engine.max_mem_mb", kReload, kEngine, 1, 4096, [](auto& c) -> auto& { return c.engine.max_mem; }, kMiB),
    text("journal.path", kRestart, kStart, [](auto& c) -> auto& { return c.journal.path; }),
    choice<kSyncPolicies>("journal.sync", kRestart, kStart, [](auto& c) -> auto& { return c.journal.sync; }),
    integer("journal.max_backlog", kRestart, kStart, 100, 10000000,
            [](auto& c) -> auto& { return c.journal.max_backlog; }),
    integer("journal.compact_after_mb", kReload, kChat, 1, 65536,
            [](auto& c) -> auto& { return c.chat.compact_after_bytes; }, kMiB),
    // The store shared by several daemons (issue 12, docs/operations.md).
    choice<kStoreBackends>("store.backend", kRestart, kStart, [](auto& c) -> auto& { return c.store.backend; }),
    text("store.redis_url", kRestart, kStart, [](auto& c) -> auto& { return c.store.redis_url; }),
    text("store.redis_key_prefix", kRestart, kStart, [](auto& c) -> auto& { return c.store.redis_key_prefix; }),
    integer("store.redis_timeout_ms", kRestart, kStart, 10, 60000,
            [](auto& c) -> auto& { return c.store.redis_timeout_ms; }),
    integer("store.redis_connect_timeout_ms", kRestart, kStart, 10, 60000,
            [](auto& c) -> auto& { return c.store.redis_connect_timeout_ms; }),
    integer("store.redis_max_backlog", kRestart, kStart, 10, 1000000,
            [](auto& c) -> auto& { return c.store.redis_max_backlog; }),
    integer("queue.notice_after_s", kReload, kChat, 1, 86400, [](auto& c) -> auto& { return c.chat.notice_after_ms; },
            kSecond),
    integer("queue.sla_s", kReload, kChat, 1, 86400, [](auto& c) -> auto& { return c.chat.sla_ms; }, kSecond),
    integer("queue.sla_complaint_s", kReload, kChat, 1, 86400,
            [](auto& c) -> auto& { return c.chat.sla_complaint_ms; }, kSecond),
    integer("chats.expire_after_s", kReload, kChat, 10, 30 * 86400,
            [](auto& c) -> auto& { return c.chat.expire_after_ms; }, kSecond),
    integer("chats.answered_window", kReload, kChat, 1, 10000, [](auto& c) -> auto& { return c.chat.answered_window; }),
    integer("chats.transcript_lines", kReload, kChat, 1, 1000,
            [](auto& c) -> auto& { return c.chat.transcript_lines; }),
    integer("pushes.expire_after_s", kReload, kChat, 60, 30 * 86400,
            [](auto& c) -> auto& { return c.chat.push_expire_after_ms; }, kSecond),
    integer("limits.frame_bytes", kReload, kSessions, 256, 16ll << 20,
            [](auto& c) -> auto& { return c.session.max_frame_bytes; }),
    integer("limits.text_bytes", kReload, kDecoder, 16, 1ll << 20,
            [](auto& c) -> auto& { return c.decode.max_text_bytes; }),
    integer("limits.connections", kReload, kSessions, 1, 1000000,
            [](auto& c) -> auto& { return c.session.max_connections; }),
    number("limits.messages_per_chat_per_second", kReload, kChat, 0, 10000,
           [](auto& c) -> auto& { return c.chat.messages_per_second; }),
    integer("limits.burst", kReload, kChat, 1, 10000, [](auto& c) -> auto& { return c.chat.burst; }),
    integer("limits.idle_timeout_s", kReload, kSessions, 1, 86400,
            [](auto& c) -> auto& { return c.session.idle_timeout; }),
    integer("limits.handshake_timeout_s", kReload, kSessions, 1, 600,
            [](auto& c) -> auto& { return c.session.handshake_timeout; }),
    integer("limits.outbound_frames", kReload, kSessions, 16, 1000000,
            [](auto& c) -> auto& { return c.session.max_outbound_frames; }),
    // The agents' console (docs/console.md).
    text("console.agents_file", kReload, kConsole, [](auto& c) -> auto& { return c.console.agents_file; }),
    text("console.dir", kReload, kConsole, [](auto& c) -> auto& { return c.console.dir; }),
    text("console.origin", kReload, kConsole, [](auto& c) -> auto& { return c.console.origin; }),
    choice<kBooleans>("console.secure_cookie", kReload, kConsole,
                      [](auto& c) -> auto& { return c.console.secure_cookie; }),
    integer("console.session_ttl_s", kReload, kConsole, 60, 30 * 86400,
            [](auto& c) -> auto& { return c.console.session_ttl_ms; }, kSecond),
    text("console.canned_file", kReload, kConsole, [](auto& c) -> auto& { return c.console.canned_file; }),
    choice<kComplianceModes>("console.compliance", kReload, kConsole,
                             [](auto& c) -> auto& { return c.console.block_noncompliant; }),
    integer("console.history_days", kReload, kConsole, 1, 365, [](auto& c) -> auto& { return c.console.history_ms; },
            86400 * kSecond),
    text("console.sessions_file", kRestart, kStart, [](auto& c) -> auto& { return c.console.sessions_file; }),
    // Assignment (docs/console.md).
    choice<kBooleans>("console.auto_assign", kReload, kConsole, [](auto& c) -> auto& { return c.console.auto_assign; }),
    integer("console.disconnect_grace_s", kReload, kConsole, 0, 86400,
            [](auto& c) -> auto& { return c.console.disconnect_grace_ms; }, kSecond),
    choice<kLogLevels>("log.level", kReload, kLogging, [](auto& c) -> auto& { return c.log_level; }),
    choice<kLogFormats>("log.format", kReload, kLogging, [](auto& c) -> auto& { return c.log_format; }),
    // The tuning loop (docs/tuning.md): the traffic sample, the admin socket, the reload guard.
    choice<kSampleKeeps>("sample.keep", kRestart, kStart, [](auto& c) -> auto& { return c.sample.keep; }),
    integer("sample.settled_percent", kRestart, kStart, 0, 100,
            [](auto& c) -> auto& { return c.sample.settled_percent; }),
    text("sample.path", kRestart, kStart, [](auto& c) -> auto& { return c.sample.path; }),
    integer("sample.max_kb", kRestart, kStart, 16, 64ll << 20, [](auto& c) -> auto& { return c.sample.max_bytes; },
            kKiB),
    integer("sample.retention_days", kRestart, kStart, 1, 3650,
            [](auto& c) -> auto& { return c.sample.retention_days; }),
    text("admin.socket", kRestart, kStart, [](auto& c) -> auto& { return c.admin_socket; }),
    integer("reload.recent_messages", kRestart, kStart, 0, 100000,
            [](auto& c) -> auto& { return c.reload.recent_messages; }),
    number("reload.max_changed_share", kReload, kReloadGuard, 0, 1,
           [](auto& c) -> auto& { return c.reload.max_changed_share; }),
};

}  // namespace

std::span<const ConfigOption> config_table() { return kTable; }

const ConfigOption* find_option(std::string_view name) {
  for (const ConfigOption& option : kTable) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

std::string default_value(const ConfigOption& option) {
  static const Config kDefaults;
  return option.show(option, kDefaults);
}

std::vector<Consumer> reload_consumers() {
  std::vector<Consumer> consumers;
  for (const ConfigOption& option : kTable) {
    if (option.apply == Apply::kReload && std::find(consumers.begin(), consumers.end(), option.consumer) == consumers.end()) {
      consumers.push_back(option.consumer);
    }
  }
  return consumers;
}

std::vector<std::string> restart_only_changes(const Config& running, const Config& next) {
  std::vector<std::string> changes;
  for (const ConfigOption& option : kTable) {
    if (option.apply != Apply::kRestart) continue;
    const std::string was = option.show(option, running);
    const std::string now = option.show(option, next);
    if (was != now) {
      changes.push_back(std::string(option.name) + " is read at start only (running " + was + ", the file says " +
                        now + "): restart the daemon to change it");
    }
  }
  // A reload re-reads the certificate; it cannot add or drop the TLS layer
  // of a listener already serving.
  if (running.tls_cert.empty() != next.tls_cert.empty()) {
    changes.push_back("tls.cert: turning TLS on or off needs a restart");
  }
  return changes;
}

std::string describe_config_table() {
  std::string out;
  for (const ConfigOption& option : kTable) {
    std::string line(option.name);
    line.resize(std::max<std::size_t>(line.size() + 2, 38), ' ');
    line += option.apply == Apply::kRestart ? "restart  " : "reload   ";
    std::string range = option.range(option);
    range.resize(std::max<std::size_t>(range.size() + 2, 50), ' ');
    out += line + range + "default " + default_value(option) + "\n";
  }
  return out;
}

}  // namespace xiaoer::app
