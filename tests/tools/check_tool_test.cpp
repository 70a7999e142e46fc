#include "daemon/tools/check_tool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_dir.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::tools {
namespace {

namespace fs = std::filesystem;

// A temporary intents directory and shop file, removed afterwards.
class CheckToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-check-");
    fs::create_directories(dir_ / "intents");
    write("shop.yaml", testing::kTestShop);
    write("intents/fallback.yaml", testing::kTestFallback);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  int check(std::string* out, std::string* err) {
    std::ostringstream o, e;
    const int code = run_check({"--intents", (dir_ / "intents").string(), "--shop", (dir_ / "shop.yaml").string()}, o, e);
    *out = o.str();
    *err = e.str();
    return code;
  }

  fs::path dir_;
};

constexpr const char* kGood = R"(topic: shipping
intents:
  shipping.courier:
    patterns: [{re: '(什么|哪家)快递', weight: 4}]
    replies: ['亲，默认发{courier}哦{smile}']
    examples: ['发什么快递', '發什麼快遞']
    not_examples: ['快递到了']
)";

TEST_F(CheckToolTest, PassesAGoodSet) {
  write("intents/shipping.yaml", kGood);
  std::string out, err;
  EXPECT_EQ(check(&out, &err), 0) << err;
  EXPECT_NE(out.find("examples 3 passed, 0 failed"), std::string::npos) << out;
  EXPECT_NE(out.find("check: ok"), std::string::npos);
}

TEST_F(CheckToolTest, BrokenPatternFailsWithItsPlace) {
  write("intents/shipping.yaml", std::string(kGood) + "  shipping.eta:\n    patterns: ['几天(到']\n"
                                                      "    replies: ['好']\n    examples: ['几天到']\n");
  std::string out, err;
  EXPECT_EQ(check(&out, &err), 1);
  EXPECT_NE(err.find("intents/shipping.yaml:9:16: bad pattern '几天(到': missing )"), std::string::npos) << err;
}

TEST_F(CheckToolTest, UnknownPlaceholderFailsWithItsPlace) {
  std::string text = kGood;
  text.replace(text.find("{courier}"), 9, "{carrier}");
  write("intents/shipping.yaml", text);
  std::string out, err;
  EXPECT_EQ(check(&out, &err), 1);
  EXPECT_NE(err.find("intents/shipping.yaml:5:21: unknown placeholder '{carrier}'"), std::string::npos) << err;
}

TEST_F(CheckToolTest, BannedWordFailsWithItsPlace) {
  std::string text = kGood;
  text.replace(text.find("默认"), 6, "最便宜");
  write("intents/shipping.yaml", text);
  std::string out, err;
  EXPECT_EQ(check(&out, &err), 1);
  EXPECT_NE(err.find("intents/shipping.yaml:5:15: reply contains the banned word '最便宜'"), std::string::npos) << err;
}

TEST_F(CheckToolTest, FailingExampleFailsWithItsPlace) {
  std::string text = kGood;
  text.replace(text.find("'快递到了'"), std::string("'快递到了'").size(), "'哪家快递好'");
  write("intents/shipping.yaml", text);
  std::string out, err;
  EXPECT_EQ(check(&out, &err), 1);
  EXPECT_NE(err.find("intents/shipping.yaml:7:20: not_example '哪家快递好' chose shipping.courier"), std::string::npos)
      << err;
  EXPECT_NE(out.find("examples 2 passed, 1 failed"), std::string::npos) << out;
}

}  // namespace
}  // namespace xiaoer::tools
