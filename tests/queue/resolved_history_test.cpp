#include "daemon/queue/resolved_history.hpp"

#include <gtest/gtest.h>

namespace xiaoer::queue {
namespace {

Ticket ticket(std::uint64_t n, std::string chat, std::string nick) {
  Ticket t;
  t.id = ticket_id(n);
  t.number = n;
  t.chat = std::move(chat);
  t.buyer_nick = std::move(nick);
  return t;
}

TEST(ResolvedHistory, SearchesByChatBuyerOrIdNewestFirstWithinTheWindow) {
  ResolvedHistory h;
  h.add(ticket(1, "shop:a", "小红"), 1000);
  h.add(ticket(2, "shop:b", "阿明"), 2000);
  h.add(ticket(3, "shop:a2", "老张"), 3000);
  const auto all = h.search("", 0, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].ticket.id, "T-3");
  EXPECT_EQ(all[2].ticket.id, "T-1");
  const auto by_chat = h.search("shop:a", 0, 10);
  ASSERT_EQ(by_chat.size(), 2u);
  EXPECT_EQ(h.search("阿明", 0, 10).at(0).ticket.id, "T-2");
  EXPECT_EQ(h.search("T-1", 0, 10).size(), 1u);
  EXPECT_EQ(h.search("", 2000, 10).size(), 2u);  // resolved at 2000 or later
  EXPECT_EQ(h.search("", 0, 1).size(), 1u);
  EXPECT_TRUE(h.search("nobody", 0, 10).empty());
}

TEST(ResolvedHistory, KeepsTheNewestAtMost) {
  ResolvedHistory h;
  for (std::uint64_t i = 1; i <= kMaxResolved + 5; ++i) h.add(ticket(i, "c", ""), static_cast<std::int64_t>(i));
  EXPECT_EQ(h.size(), kMaxResolved);
  EXPECT_EQ(h.search("", 0, kMaxResolved + 5).back().ticket.id, ticket_id(6));
}

}  // namespace
}  // namespace xiaoer::queue
