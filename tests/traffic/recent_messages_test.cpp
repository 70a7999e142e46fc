#include "daemon/traffic/recent_messages.hpp"

#include <gtest/gtest.h>

namespace xiaoer::traffic {
namespace {

std::vector<std::string> texts(const RecentMessages& recent) {
  std::vector<std::string> out;
  for (const RecentMessage& m : recent.snapshot()) out.push_back(m.text);
  return out;
}

TEST(RecentMessages, KeepsTheLastNOldestFirst) {
  RecentMessages recent(3);
  recent.add({"a", "taobao"});
  recent.add({"b", "jd"});
  EXPECT_EQ(texts(recent), (std::vector<std::string>{"a", "b"}));
  recent.add({"c", ""});
  recent.add({"d", ""});
  recent.add({"e", ""});
  EXPECT_EQ(texts(recent), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(recent.snapshot().front().channel, "");
}

TEST(RecentMessages, ZeroKeepsNothing) {
  RecentMessages recent(0);
  recent.add({"a", "taobao"});
  EXPECT_TRUE(recent.snapshot().empty());
}

}  // namespace
}  // namespace xiaoer::traffic
