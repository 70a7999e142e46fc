#include "daemon/store/redis/ticket_number_offers.hpp"

#include <gtest/gtest.h>

namespace xiaoer::store::redis {
namespace {

TEST(TicketNumberOffers, DecisionsInFlightGetNumbersOfTheirOwn) {
  TicketNumberOffers offers;
  EXPECT_EQ(offers.offer("a", 5), 5u);
  EXPECT_EQ(offers.offer("b", 5), 6u);  // a's 5 is still out
  EXPECT_EQ(offers.offer("c", 9), 9u);  // Redis is ahead
  EXPECT_EQ(offers.offer("d", 5), 10u);
  EXPECT_EQ(offers.outstanding(), 4u);
}

TEST(TicketNumberOffers, ReleasedNumbersAreOfferedAgainAndAChatHoldsOne) {
  TicketNumberOffers offers;
  EXPECT_EQ(offers.offer("a", 1), 1u);
  EXPECT_EQ(offers.offer("b", 1), 2u);
  offers.release("a");
  offers.release("b");
  EXPECT_EQ(offers.outstanding(), 0u);
  EXPECT_EQ(offers.offer("c", 1), 1u);  // nothing out: Redis's next, with no gap
  EXPECT_EQ(offers.offer("c", 1), 1u);  // a chat decided again: its old offer ends
  EXPECT_EQ(offers.outstanding(), 1u);
  offers.release("unknown");
  EXPECT_EQ(offers.outstanding(), 1u);
}

}  // namespace
}  // namespace xiaoer::store::redis
