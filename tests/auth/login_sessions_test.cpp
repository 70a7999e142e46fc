#include "daemon/auth/login_sessions.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sys/stat.h>

#include "daemon/common/yaml_reader.hpp"
#include "tests/test_dir.hpp"

namespace xiaoer::auth {
namespace {

TEST(LoginSessions, ATokenFindsItsAgentUntilItExpires) {
  LoginSessions sessions;
  const std::string token = sessions.open("li", 1000, 500);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(sessions.find(token, 1499), "li");
  EXPECT_TRUE(sessions.has_session("li", 1499));
  EXPECT_EQ(sessions.find(token, 1500), std::nullopt);
  EXPECT_FALSE(sessions.has_session("li", 1500));
}

TEST(LoginSessions, WrongEmptyOrClosedTokensFindNobody) {
  LoginSessions sessions;
  const std::string token = sessions.open("li", 0, 1000);
  EXPECT_EQ(sessions.find("", 1), std::nullopt);
  EXPECT_EQ(sessions.find(token + "0", 1), std::nullopt);
  EXPECT_EQ(sessions.find(token.substr(1), 1), std::nullopt);
  sessions.close(token);
  EXPECT_EQ(sessions.find(token, 1), std::nullopt);
}

TEST(LoginSessions, ClosingAnAgentEndsAllItsSessions) {
  LoginSessions sessions;
  const std::string a = sessions.open("li", 0, 1000);
  const std::string b = sessions.open("li", 0, 1000);
  const std::string c = sessions.open("wang", 0, 1000);
  EXPECT_NE(a, b);
  sessions.close_agent("li");
  EXPECT_EQ(sessions.find(a, 1), std::nullopt);
  EXPECT_EQ(sessions.find(b, 1), std::nullopt);
  EXPECT_EQ(sessions.find(c, 1), "wang");
}

// Kept in a file, sessions outlive the process (a daemon restart logs nobody
// out); the file holds hashes only, mode 0600; logouts and expiries stay so.
TEST(LoginSessions, AFileKeepsThemAcrossRestartsWithoutTheTokens) {
  const std::filesystem::path dir = testing::fresh_test_dir("xiaoer-sessions-");
  const std::string path = (dir / "state" / "console.sessions").string();
  std::string error;
  std::string kept, gone, old;
  {
    LoginSessions sessions;
    ASSERT_TRUE(sessions.keep_in(path, 1000, &error)) << error;
    kept = sessions.open("li", 1000, 10'000);
    gone = sessions.open("wang", 1000, 10'000);
    old = sessions.open("zhao", 1000, 500);
    sessions.close(gone);
  }
  std::string text;
  ASSERT_TRUE(common::read_file(path, &text));
  EXPECT_EQ(text.find(kept), std::string::npos) << "a token was written";
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  LoginSessions restarted;
  ASSERT_TRUE(restarted.keep_in(path, 2000, &error)) << error;
  EXPECT_EQ(restarted.find(kept, 2000), "li");
  EXPECT_EQ(restarted.find(gone, 2000), std::nullopt) << "logged out before the restart";
  EXPECT_EQ(restarted.find(old, 2000), std::nullopt) << "expired";
  EXPECT_EQ(restarted.size(), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xiaoer::auth
