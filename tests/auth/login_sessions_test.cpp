#include "daemon/auth/login_sessions.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace xiaoer::auth
