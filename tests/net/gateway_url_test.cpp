#include "daemon/net/gateway_client.hpp"

#include <gtest/gtest.h>

#include "daemon/net/http_session.hpp"

namespace xiaoer::net {
namespace {

TEST(GatewayUrl, ParsesSchemeHostPortAndTarget) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    const char* port;
    const char* target;
  };
  for (const Case& c : {Case{"ws://127.0.0.1:9000/ws?shop=7", false, "127.0.0.1", "9000", "/ws?shop=7"},
                        Case{"ws://gateway.local", false, "gateway.local", "80", "/"},
                        Case{"ws://[::1]:81/x", false, "::1", "81", "/x"},
                        Case{"wss://gateway.example.com/v1/xiaoer", true, "gateway.example.com", "443", "/v1/xiaoer"},
                        Case{"wss://[::1]:8443", true, "::1", "8443", "/"}}) {
    const auto url = parse_ws_url(c.url);
    ASSERT_TRUE(url) << c.url;
    EXPECT_EQ(url->tls, c.tls) << c.url;
    EXPECT_EQ(url->host, c.host) << c.url;
    EXPECT_EQ(url->port, c.port) << c.url;
    EXPECT_EQ(url->target, c.target) << c.url;
  }
  for (const char* bad : {"http://x/", "https://x/", "ws://", "wss://", "ws://[::1"}) {
    EXPECT_FALSE(parse_ws_url(bad)) << bad;
  }
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
