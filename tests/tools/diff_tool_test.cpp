#include "daemon/tools/diff_tool.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_dir.hpp"
#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::tools {
namespace {

namespace fs = std::filesystem;

// A known edit: "after" adds a coupon intent and rewords the thanks reply;
// "same" is an identical copy of "before".
class DiffToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-diff-");
    for (const char* side : {"before", "after", "same"}) {
      fs::create_directories(dir_ / side);
      write(std::string(side) + "/fallback.yaml", testing::kTestFallback);
      for (const auto& [name, text] : testing::test_intent_files()) write(std::string(side) + "/" + name, text);
    }
    write("shop.yaml", testing::kTestShop);
    write("after/coupon.yaml", R"(topic: coupon
intents:
  coupon.use:
    keywords: {优惠券: 4}
    replies: ['亲，优惠券下单时自动抵扣哦{smile}']
    examples: ['优惠券怎么用']
)");
    write("after/thanks.yaml", R"(topic: thanks
intents:
  thanks:
    keywords: {谢谢: 4}
    replies: ['亲，不用谢{smile}', '亲，应该的{smile}']
    examples: ['谢谢']
)");
    write("traffic.txt", "优惠券怎么用\n谢谢\n发什么快递\n{\"text\": \"领的优惠券用不了\", \"channel\": \"taobao\"}\n能开发票吗\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  int diff(const std::string& after, std::vector<std::string> extra, std::string* out, std::string* err) {
    std::vector<std::string> args = {"--before", (dir_ / "before").string(), "--after", (dir_ / after).string(),
                                     "--shop",   (dir_ / "shop.yaml").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back((dir_ / "traffic.txt").string());
    std::ostringstream o, e;
    const int code = run_diff(args, o, e);
    *out = o.str();
    *err = e.str();
    return code;
  }

  fs::path dir_;
};

TEST_F(DiffToolTest, ReportsExactlyTheTransitionsOfAnEditAndExits1) {
  std::string out, err;
  ASSERT_EQ(diff("after", {"--json"}, &out, &err), 1) << err;
  const nlohmann::json json = nlohmann::json::parse(out);
  EXPECT_EQ(json["messages"], 5);
  EXPECT_EQ(json["changed"], 3);
  const nlohmann::json& t = json["transitions"];
  ASSERT_EQ(t.size(), 2u) << out;
  EXPECT_EQ(t[0]["transition"], "none (fallback) → coupon.use");
  EXPECT_EQ(t[0]["count"], 2);
  EXPECT_EQ(t[0]["examples"][0]["text"], "优惠券怎么用");
  EXPECT_EQ(t[0]["examples"][1]["text"], "领的优惠券用不了");
  EXPECT_EQ(t[1]["transition"], "thanks: reply text changed");
  EXPECT_EQ(t[1]["count"], 1);
  // Reply rotation is fixed: the first variant on both sides.
  EXPECT_EQ(t[1]["examples"][0]["before"].get<std::string>().rfind("不客气哦亲", 0), 0u);
  EXPECT_EQ(t[1]["examples"][0]["after"].get<std::string>().rfind("亲，不用谢", 0), 0u);
}

TEST_F(DiffToolTest, TextReportCountsThenExamples) {
  std::string out, err;
  ASSERT_EQ(diff("after", {"--examples", "1"}, &out, &err), 1) << err;
  EXPECT_EQ(out.rfind("5 messages, 3 changed (60.0 %)\n", 0), 0u) << out;
  EXPECT_NE(out.find("     2  none (fallback) → coupon.use\n     1  thanks: reply text changed\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\nnone (fallback) → coupon.use (2)\n  buyer:  优惠券怎么用\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("领的优惠券用不了"), std::string::npos) << out;  // one example each
}

TEST_F(DiffToolTest, AnIdenticalCopyChangesNothingAndExits0) {
  std::string out, err;
  EXPECT_EQ(diff("same", {}, &out, &err), 0) << err;
  EXPECT_EQ(out, "5 messages, 0 changed (0.0 %)\n");
}

TEST_F(DiffToolTest, BadArgumentsAndBrokenSidesExit2) {
  std::string out, err;
  std::ostringstream o, e;
  EXPECT_EQ(run_diff({"--before", "x"}, o, e), 2);
  write("after/broken.yaml", "topic: broken\nintents:\n  broken:\n    patterns: ['(']\n");
  EXPECT_EQ(diff("after", {}, &out, &err), 2);
  EXPECT_NE(err.find("broken.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find("the --after side does not load"), std::string::npos) << err;
}

}  // namespace
}  // namespace xiaoer::tools
