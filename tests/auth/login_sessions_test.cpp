#include "daemon/auth/login_sessions.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>
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

// Two daemons' tables joined as a shared store joins them: each one's
// changes, as share() hands them out, applied to the other.
TEST(LoginSessions, SharedTablesTellEachOtherEveryLoginAndLogoutByHashOnly) {
  LoginSessions a, b;
  std::vector<LoginSessions::Shared> told;
  a.share([&](const LoginSessions::Shared& s) {
    told.push_back(s);
    b.apply(s);
  });
  b.share([&](const LoginSessions::Shared& s) { a.apply(s); });
  const std::string li = a.open("li", 0, 1000);
  const std::string li2 = a.open("li", 0, 1000);
  const std::string wang = b.open("wang", 0, 1000);
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].agent, "li");
  EXPECT_EQ(told[0].expires_ms, 1000);
  EXPECT_EQ(told[0].token_hash.size(), 64u);
  EXPECT_NE(told[0].token_hash, li) << "a token left the daemon";
  EXPECT_EQ(b.find(li, 1), "li");
  EXPECT_EQ(a.find(wang, 1), "wang");

  b.close(li);  // a logout on the other daemon
  EXPECT_EQ(a.find(li, 1), std::nullopt);
  EXPECT_EQ(a.find(li2, 1), "li");
  a.close_agent("li");  // a secret reset ends every session of the agent, on both
  EXPECT_EQ(b.find(li2, 1), std::nullopt);
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told[2].expires_ms, 0);
}

// The shared table read again (after a reconnect) replaces this one,
// unless this daemon opened or closed a session since it was read.
TEST(LoginSessions, ATableReadBeforeOneOfOurChangesReplacesNothing) {
  LoginSessions sessions;
  const std::string old = sessions.open("li", 0, 1000);
  const std::uint64_t read_at = sessions.generation();
  const std::string fresh = sessions.open("wang", 0, 1000);
  EXPECT_FALSE(sessions.replace({}, read_at, 1));
  EXPECT_EQ(sessions.find(fresh, 1), "wang");

  const std::string other_hash(64, 'a');
  EXPECT_TRUE(sessions.replace({{other_hash, "zhao", 2000}, {std::string(64, 'b'), "qian", 1}},
                               sessions.generation(), 1));
  EXPECT_EQ(sessions.find(old, 1), std::nullopt) << "closed elsewhere while we were away";
  EXPECT_EQ(sessions.find(fresh, 1), std::nullopt);
  EXPECT_EQ(sessions.size(), 1u) << "an expired session was taken";
  EXPECT_TRUE(sessions.has_session("zhao", 1));
}

}  // namespace
}  // namespace xiaoer::auth
