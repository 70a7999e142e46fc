#include "daemon/auth/agent_accounts.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

#include "tests/test_dir.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::auth {
namespace {

TEST(AgentAccounts, NamesAreShortPlainAscii) {
  for (const char* ok : {"li", "wang.2", "a_b-c", "9x"}) EXPECT_TRUE(valid_agent_name(ok)) << ok;
  const std::string too_long(33, 'a');
  for (const std::string& bad : {std::string(), std::string("Li"), std::string("-li"), std::string(".li"),
                                 std::string("li wang"), std::string("李"), too_long, std::string("a/b")}) {
    EXPECT_FALSE(valid_agent_name(bad)) << bad;
  }
}

TEST(AgentAccounts, ParsesRolesAndCapacity) {
  const LoadedAccounts loaded = parse_accounts("agents.yaml", R"(agents:
  li: {secret_hash: "h1", capacity: 3}
  wang: {secret_hash: "h2", supervisor: true}
)");
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  ASSERT_NE(loaded.accounts.find("li"), nullptr);
  EXPECT_EQ(loaded.accounts.find("li")->capacity, 3);
  EXPECT_FALSE(loaded.accounts.find("li")->supervisor);
  EXPECT_TRUE(loaded.accounts.find("wang")->supervisor);
  EXPECT_EQ(loaded.accounts.find("wang")->capacity, 5);
  EXPECT_EQ(loaded.accounts.find("zhao"), nullptr);
}

TEST(AgentAccounts, ErrorsNameTheirPlace) {
  const LoadedAccounts loaded = parse_accounts("agents.yaml", R"(agents:
  li: {secret_hash: "h1", colour: red}
  Bad Name: {secret_hash: "h2"}
  zhao: {supervisor: true}
)");
  const std::string all = testing::describe(loaded.diagnostics);
  EXPECT_NE(all.find("agents.yaml:2:"), std::string::npos) << all;
  EXPECT_NE(all.find("agents.yaml:3:3: agent name 'Bad Name'"), std::string::npos) << all;
  EXPECT_NE(all.find("agents.yaml:4:"), std::string::npos) << all;
  EXPECT_NE(all.find("no secret_hash"), std::string::npos) << all;
}

TEST(AgentAccounts, AMissingFileIsAnEmptySet) {
  const LoadedAccounts loaded = load_accounts((testing::fresh_test_dir("xiaoer-accounts-") / "none.yaml").string());
  EXPECT_TRUE(loaded.diagnostics.empty());
  EXPECT_TRUE(loaded.accounts.by_name.empty());
}

TEST(AgentAccounts, SaveReplacesTheFileAndReadsBack) {
  const std::filesystem::path dir = testing::fresh_test_dir("xiaoer-accounts-");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "agents.yaml").string();
  AgentAccounts accounts;
  accounts.by_name["li"] = {"pbkdf2-sha256$1$00$00", false, 4};
  accounts.by_name["wang"] = {"pbkdf2-sha256$1$01$01", true, 5};
  std::string error;
  ASSERT_TRUE(save_accounts(path, accounts, &error)) << error;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const LoadedAccounts back = load_accounts(path);
  ASSERT_TRUE(back.diagnostics.empty()) << testing::describe(back.diagnostics);
  EXPECT_EQ(back.accounts.by_name.size(), 2u);
  EXPECT_EQ(back.accounts.find("li")->capacity, 4);
  EXPECT_TRUE(back.accounts.find("wang")->supervisor);
  EXPECT_EQ(back.accounts.find("wang")->secret_hash, "pbkdf2-sha256$1$01$01");
  accounts.by_name.clear();
  ASSERT_TRUE(save_accounts(path, accounts, &error)) << error;
  EXPECT_TRUE(load_accounts(path).accounts.by_name.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xiaoer::auth
