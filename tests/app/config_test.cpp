#include "daemon/app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "tests/test_support.hpp"

namespace xiaoer::app {
namespace {

TEST(Config, ShippedConfigsLoadCleanly) {
  for (const char* file : {"config/xiaoerd.yaml", "deploy/xiaoerd.yaml"}) {
    const LoadedConfig loaded = load_config(std::string(XIAOER_SOURCE_DIR) + "/" + file);
    EXPECT_TRUE(loaded.diagnostics.empty()) << file << "\n" << testing::describe(loaded.diagnostics);
  }
}

TEST(Config, ReadsValuesAndDefaults) {
  const LoadedConfig loaded = load_config_source("x.yaml", R"(listen: {port: 9000}
journal: {sync: batch, compact_after_mb: 2}
limits: {messages_per_chat_per_second: 2.5}
queue: {notice_after_s: 30}
log: {format: json}
)");
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  const Config& c = loaded.config;
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.listen_address, "127.0.0.1");
  EXPECT_EQ(c.journal.sync, store::SyncPolicy::kBatch);
  EXPECT_EQ(c.chat.compact_after_bytes, 2 << 20);
  EXPECT_DOUBLE_EQ(c.chat.messages_per_second, 2.5);
  EXPECT_EQ(c.chat.notice_after_ms, 30'000);
  EXPECT_EQ(c.log_format, LogFormat::kJson);
  EXPECT_EQ(c.chat.answered_window, 8);
}

TEST(Config, ErrorsNameTheirPlace) {
  const LoadedConfig loaded = load_config_source("x.yaml", R"(listen: {port: 70000}
gateway: {mode: sideways}
limits: {frame_byte: 10}
tls: {cert: a.pem}
)");
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("x.yaml:1:16: listen.port must be from 0 to 65535"), std::string::npos) << all;
  EXPECT_NE(all.find("x.yaml:2:17: gateway.mode must be server or client"), std::string::npos) << all;
  EXPECT_NE(all.find("x.yaml:3:10: unknown field 'frame_byte' in limits"), std::string::npos) << all;
  EXPECT_NE(all.find("tls needs both cert and key"), std::string::npos) << all;
}

TEST(Config, TokenFromEnvironmentElseFileElseGenerated) {
  const auto dir = std::filesystem::temp_directory_path() / ("xiaoer-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "sub" / "gateway.token").string();
  ::unsetenv("XIAOER_TEST_TOKEN");
  std::string error;
  const std::string generated = resolve_token({"XIAOER_TEST_TOKEN", file}, &error);
  EXPECT_EQ(generated.size(), 32u) << error;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(resolve_token({"XIAOER_TEST_TOKEN", file}, &error), generated);  // read back
  ::setenv("XIAOER_TEST_TOKEN", "from-env", 1);
  EXPECT_EQ(resolve_token({"XIAOER_TEST_TOKEN", file}, &error), "from-env");
  ::unsetenv("XIAOER_TEST_TOKEN");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xiaoer::app
