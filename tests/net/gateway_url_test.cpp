#include "daemon/net/gateway_client.hpp"

#include <gtest/gtest.h>

#include "daemon/net/http_session.hpp"

namespace xiaoer::net {
namespace {

TEST(GatewayUrl, ParsesHostPortAndTarget) {
  auto url = parse_ws_url("ws://127.0.0.1:9000/ws?shop=7");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "9000");
  EXPECT_EQ(url->target, "/ws?shop=7");
  url = parse_ws_url("ws://gateway.local");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->target, "/");
  url = parse_ws_url("ws://[::1]:81/x");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "81");
  EXPECT_FALSE(parse_ws_url("wss://secure/x"));
  EXPECT_FALSE(parse_ws_url("http://x/"));
  EXPECT_FALSE(parse_ws_url("ws://"));
}

TEST(HttpSession, BearerTokenAndQuery) {
  EXPECT_EQ(bearer_token("Bearer abc123"), "abc123");
  EXPECT_EQ(bearer_token("bearer  abc "), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(query_value("/v1/agent?agent=li&x=1", "agent"), "li");
  EXPECT_EQ(query_value("/v1/agent?agent=%E5%B0%8F%E6%9D%8E", "agent"), "小李");
  EXPECT_EQ(query_value("/v1/agent", "agent"), "");
}

}  // namespace
}  // namespace xiaoer::net
