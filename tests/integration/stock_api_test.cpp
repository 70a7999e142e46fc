// The catalogue in the real daemon (docs/catalogue.md): answers about the
// message's item (meta.item_id), the admin stock API, and a stock update
// that survives kill -9.
#include <gtest/gtest.h>

#include "tests/integration/it_support.hpp"

namespace xiaoer::it {
namespace {

namespace http = boost::beast::http;

constexpr const char* kCoat = "680000000401";

std::string item_message(const std::string& id, const std::string& chat, const std::string& text,
                         const std::string& item) {
  proto::InboundMessage m;
  m.id = id;
  m.chat = chat;
  m.text = text;
  m.item_id = item;
  m.ts = 1763800000000;
  return proto::encode(m);
}

class StockApiTest : public ItTest {
 protected:
  bool start_with_catalogue() {
    DaemonConfig config;
    config.catalogue = std::string(XIAOER_SOURCE_DIR) + "/config/catalogue";
    return start_with(config);
  }

  std::string reply_text(WsClient& client, const std::string& id, const std::string& text, const char* item) {
    EXPECT_TRUE(client.send(item_message(id, "chat-" + id, text, item)));
    const auto answer = client.read_answer(id, kDefaultTimeout);
    if (!answer) {
      ADD_FAILURE() << "no answer to " << id;
      return "";
    }
    return (*answer)["text"].get<std::string>();
  }

  HttpResult post_stock(const std::string& item, const std::string& body,
                        const char* token = DaemonProcess::kAdminToken) {
    return http_request(port(), http::verb::post, "/v1/items/" + item + "/stock", token, body);
  }
};

TEST_F(StockApiTest, AnswersAboutTheMessagesItemAndAsksWithoutOne) {
  ASSERT_TRUE(start_with_catalogue());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  EXPECT_NE(reply_text(*gw, "m1", "什么面料的", kCoat).find("90%羊毛"), std::string::npos);
  EXPECT_NE(reply_text(*gw, "m2", "驼色m还有吗", kCoat).find("驼色M码暂时缺货，预计12月5日补货"), std::string::npos);
  EXPECT_NE(reply_text(*gw, "m3", "什么面料的", "").find("商品链接"), std::string::npos);
}

TEST_F(StockApiTest, TheAdminTokenAloneMayUseIt) {
  ASSERT_TRUE(start_with_catalogue());
  EXPECT_EQ(post_stock(kCoat, R"({"status":"out"})", DaemonProcess::kAgentToken).status, 401);
  EXPECT_EQ(post_stock(kCoat, R"({"status":"out"})", "").status, 401);
  EXPECT_EQ(post_stock("nope", R"({"status":"out"})").status, 404);
  const HttpResult bad = post_stock(kCoat, R"({"colour":"紫色","status":"out"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("no colour"), std::string::npos) << bad.body;
  EXPECT_EQ(post_stock(kCoat, R"({"status":"presale"})").status, 400);  // no dispatch date
  const HttpResult got = http_request(port(), http::verb::get, std::string("/v1/items/") + kCoat,
                                      DaemonProcess::kAdminToken);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body_json()["title"], "双面羊毛大衣");
}

TEST_F(StockApiTest, AStockUpdateIsAnsweredAtOnceAndSurvivesKillNine) {
  ASSERT_TRUE(start_with_catalogue());
  const HttpResult set = post_stock(kCoat, R"({"skus":[{"colour":"驼色","size":"m","status":"in"},)"
                                           R"({"colour":"黑","size":"L","status":"out","date":"2026-12-20"}]})");
  ASSERT_EQ(set.status, 200) << set.body;
  {
    auto gw = gateway();
    ASSERT_TRUE(gw);
    EXPECT_NE(reply_text(*gw, "a1", "驼色m还有吗", kCoat).find("驼色M码有现货"), std::string::npos);
    EXPECT_NE(reply_text(*gw, "a2", "黑色l有货吗", kCoat).find("黑色L码暂时缺货，预计12月20日补货"), std::string::npos);
  }
  daemon_->kill9();
  std::string error;
  ASSERT_TRUE(daemon_->start(&error)) << error;
  auto gw = gateway();
  ASSERT_TRUE(gw);
  EXPECT_NE(reply_text(*gw, "b1", "驼色m还有吗", kCoat).find("驼色M码有现货"), std::string::npos);
  EXPECT_NE(reply_text(*gw, "b2", "黑色l有货吗", kCoat).find("预计12月20日补货"), std::string::npos);
  const HttpResult got = http_request(port(), http::verb::get, std::string("/v1/items/") + kCoat,
                                      DaemonProcess::kAdminToken);
  ASSERT_EQ(got.status, 200);
  // Held by name: a range-for over a temporary's member outlives the temporary.
  const json item = got.body_json();
  int black_l = 0;
  for (const auto& sku : item["skus"]) {
    if (sku["colour"] == "黑色" && sku["size"] == "L") {
      EXPECT_EQ(sku["status"], "out");
      ++black_l;
    }
  }
  EXPECT_EQ(black_l, 1) << got.body;
}

}  // namespace
}  // namespace xiaoer::it
