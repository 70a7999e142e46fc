#include "daemon/reply/compliance.hpp"

#include <gtest/gtest.h>

namespace xiaoer::reply {
namespace {

TEST(Compliance, RejectsThirdPartyContacts) {
  const Compliance c({});
  for (const char* bad : {"加我微信", "加V聊", "QQ号给你", "详情见 https://example.com", "www.shop.cn",
                          "打电话13812345678", "客服电话 021-66668888", "邮箱 a.b@example.com"}) {
    EXPECT_TRUE(c.violation(bad)) << bad;
  }
}

// Issue 10, defect 7: a contact handle after "wx" went through; and the
// pattern's compile result is checked (a broken one fails closed).
TEST(Compliance, RejectsAHandleAfterAPlatformWord) {
  const Compliance c({});
  EXPECT_EQ(c.pattern_error(), "");
  for (const char* bad : {"加我wx xiaoer2024", "WX:xiaoer2024", "vx xiaoer2024"}) EXPECT_TRUE(c.violation(bad)) << bad;
}

TEST(Compliance, AcceptsOrdinaryShopTalk) {
  const Compliance c({"最便宜"});
  for (const char* good : {"亲，我们默认发中通快递哦😊", "满199减20，下单自动减", "身高165 体重55kg 建议M码",
                           "48小时内发货", "订单号发我一下哦", "退款1-3个工作日到账"}) {
    EXPECT_FALSE(c.violation(good)) << good << ": " << c.violation(good).value_or("");
  }
}

TEST(Compliance, BannedWordsCaseInsensitive) {
  const Compliance c({"最便宜", "NO.1"});
  EXPECT_EQ(c.violation("全网最便宜").value_or(""), "contains the banned word '最便宜'");
  EXPECT_TRUE(c.violation("销量no.1"));
}

}  // namespace
}  // namespace xiaoer::reply
