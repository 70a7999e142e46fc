#include "daemon/app/config_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "daemon/common/yaml_reader.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::app {
namespace {

// What a commented config file says about one key: its value as written,
// and the nearest `[restart]`/`[reload]` mark and `Default:` above it (a
// comment may speak for the keys under it, as tls's does for cert and key).
struct Documented {
  std::string value;
  std::string mark;
  std::string default_text;
};

// Block-style YAML only (the shipped files): a key's path is made from the
// keys indented less than it above.
std::map<std::string, Documented> documented_keys(const std::string& text) {
  std::map<std::string, Documented> keys;
  std::vector<std::pair<std::size_t, std::string>> parents;  // (indent, key)
  std::string mark, default_text;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) continue;
    if (line[indent] == '#') {
      for (const char* m : {"[restart]", "[reload]"}) {
        if (line.find(m) != std::string::npos) mark = m;
      }
      if (const std::size_t at = line.find("Default: "); at != std::string::npos) default_text = line.substr(at + 9);
      continue;
    }
    const std::size_t colon = line.find(':', indent);
    if (colon == std::string::npos) continue;
    while (!parents.empty() && parents.back().first >= indent) parents.pop_back();
    std::string path;
    for (const auto& [unused, key] : parents) path += key + ".";
    path += line.substr(indent, colon - indent);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    keys[path] = {value, mark, default_text};
    parents.emplace_back(indent, line.substr(indent, colon - indent));
  }
  return keys;
}

std::string shipped(const char* file) {
  std::string text;
  EXPECT_TRUE(common::read_file(std::string(XIAOER_SOURCE_DIR) + "/" + file, &text)) << file;
  return text;
}

std::string mark_of(const ConfigOption& option) { return option.apply == Apply::kRestart ? "[restart]" : "[reload]"; }

TEST(ConfigTable, ShippedConfigHasEveryOptionWithItsDefaultAndMark) {
  const std::map<std::string, Documented> keys = documented_keys(shipped("config/xiaoerd.yaml"));
  for (const ConfigOption& option : config_table()) {
    const auto it = keys.find(std::string(option.name));
    ASSERT_NE(it, keys.end()) << option.name << " is missing from config/xiaoerd.yaml";
    const std::string expected = default_value(option);
    EXPECT_EQ(it->second.value, expected) << option.name << ": the value written is not the default";
    EXPECT_EQ(it->second.default_text.substr(0, expected.size()), expected)
        << option.name << ": its comment says Default: " << it->second.default_text;
    EXPECT_EQ(it->second.mark, mark_of(option)) << option.name;
  }
}

TEST(ConfigTable, InstalledConfigHasEveryOptionAndMark) {
  const std::map<std::string, Documented> keys = documented_keys(shipped("deploy/xiaoerd.yaml"));
  for (const ConfigOption& option : config_table()) {
    const auto it = keys.find(std::string(option.name));
    ASSERT_NE(it, keys.end()) << option.name << " is missing from deploy/xiaoerd.yaml";
    EXPECT_EQ(it->second.mark, mark_of(option)) << option.name;
  }
}

// Each default, written in a file, reads back as itself: it is in range and
// the reader and the printer agree.
TEST(ConfigTable, EveryDefaultReadsBackAsItself) {
  std::set<std::string_view> names;
  for (const ConfigOption& option : config_table()) {
    EXPECT_TRUE(names.insert(option.name).second) << option.name << " declared twice";
    std::string yaml, indent;
    std::string_view rest = option.name;
    for (std::size_t dot; (dot = rest.find('.')) != std::string_view::npos; rest.remove_prefix(dot + 1)) {
      yaml += indent + std::string(rest.substr(0, dot)) + ":\n";
      indent += "  ";
    }
    yaml += indent + std::string(rest) + ": " + default_value(option) + "\n";
    const LoadedConfig loaded = load_config_source("x.yaml", yaml);
    EXPECT_TRUE(loaded.diagnostics.empty()) << yaml << testing::describe(loaded.diagnostics);
    EXPECT_EQ(option.show(option, loaded.config), default_value(option)) << yaml;
  }
}

// What a reload cannot apply it must not claim to: restart-only options are
// read at start, reloadable ones name what applies them.
TEST(ConfigTable, RestartOptionsAreReadAtStartOnlyAndReloadOnesApplied) {
  for (const ConfigOption& option : config_table()) {
    EXPECT_EQ(option.apply == Apply::kRestart, option.consumer == Consumer::kStart) << option.name;
  }
}

TEST(ConfigTable, ARestartOnlyChangeIsNamed) {
  const LoadedConfig next = load_config_source("x.yaml", R"(journal: {sync: batch, compact_after_mb: 8}
gateway: {reconnect_max_ms: 500}
limits: {connections: 10}
)");
  ASSERT_TRUE(next.diagnostics.empty()) << testing::describe(next.diagnostics);
  const Config running;
  const std::vector<std::string> changes = restart_only_changes(running, next.config);
  ASSERT_EQ(changes.size(), 2u) << ::testing::PrintToString(changes);
  EXPECT_EQ(changes[0],
            "gateway.reconnect_max_ms is read at start only (running 10000, the file says 500): restart the daemon to "
            "change it");
  EXPECT_NE(changes[1].find("journal.sync is read at start only (running always, the file says batch)"),
            std::string::npos);
  EXPECT_TRUE(restart_only_changes(next.config, next.config).empty());
}

TEST(ConfigTable, TurningTlsOnIsARestart) {
  const Config running;
  Config next;
  next.tls_cert = "cert.pem";
  next.tls_key = "key.pem";
  const std::vector<std::string> changes = restart_only_changes(running, next);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_NE(changes[0].find("tls.cert"), std::string::npos);
  Config renewed = next;
  renewed.tls_cert = "renewed.pem";
  EXPECT_TRUE(restart_only_changes(next, renewed).empty());
}

TEST(ConfigTable, RangeErrorsNameTheirPlace) {
  const LoadedConfig loaded = load_config_source("x.yaml", R"(engine: {max_mem_mb: 5000}
limits:
  burst: 0
  messages_per_chat_per_second: -1
journal:
  compact_after_mb: big
  sync: sometimes
)");
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("x.yaml:1:22: engine.max_mem_mb must be from 1 to 4096, not 5000"), std::string::npos) << all;
  EXPECT_NE(all.find("x.yaml:3:10: limits.burst must be from 1 to 10000, not 0"), std::string::npos) << all;
  EXPECT_NE(all.find("x.yaml:4:33: limits.messages_per_chat_per_second must be a number from 0 (exclusive) to "
                     "10000"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("x.yaml:6:21: journal.compact_after_mb must be a whole number"), std::string::npos) << all;
  EXPECT_NE(all.find("x.yaml:7:9: journal.sync must be always, batch or never, not 'sometimes'"), std::string::npos)
      << all;
  // Nothing out of range was taken.
  const Config defaults;
  EXPECT_EQ(loaded.config.engine.max_mem, defaults.engine.max_mem);
  EXPECT_EQ(loaded.config.chat.burst, defaults.chat.burst);
}

TEST(ConfigTable, DescribesEveryOption) {
  const std::string table = describe_config_table();
  for (const ConfigOption& option : config_table()) {
    EXPECT_NE(table.find(std::string(option.name) + " "), std::string::npos) << option.name;
  }
  EXPECT_NE(table.find("journal.sync"), std::string::npos);
  EXPECT_NE(table.find("always, batch or never"), std::string::npos) << table;
}

}  // namespace
}  // namespace xiaoer::app
