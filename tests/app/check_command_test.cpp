#include "daemon/app/check_command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_dir.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::app {
namespace {

namespace fs = std::filesystem;

// A host laid out like an installed one, under a temporary directory:
// etc/xiaoerd.yaml names etc/intents and etc/shop.yaml by absolute paths.
class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-check-command-");
    fs::create_directories(dir_ / "etc/intents");
    write("etc/shop.yaml", testing::kTestShop);
    write("etc/intents/fallback.yaml", testing::kTestFallback);
    write("etc/intents/shipping.yaml",
          "topic: shipping\nintents:\n  shipping.courier:\n    patterns: ['什么快递']\n"
          "    replies: ['亲，默认发{courier}哦']\n    examples: ['发什么快递']\n");
    write_config("");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  // The config with the paths, then `extra` lines.
  void write_config(const std::string& extra) {
    write("etc/xiaoerd.yaml", "paths:\n  intents: " + (dir_ / "etc/intents").string() +
                                  "\n  shop: " + (dir_ / "etc/shop.yaml").string() + "\n" + extra);
  }

  int check(const std::vector<std::string>& args) {
    std::ostringstream o, e;
    const int code = run_check_command(args, o, e);
    out_ = o.str();
    err_ = e.str();
    return code;
  }

  std::string config() const { return (dir_ / "etc/xiaoerd.yaml").string(); }

  fs::path dir_;
  std::string out_, err_;
};

TEST_F(CheckCommandTest, FindsIntentsAndShopFromTheConfig) {
  EXPECT_EQ(check({"--config", config()}), 0) << err_;
  EXPECT_NE(out_.find("check: config " + config() + " ok"), std::string::npos) << out_;
  EXPECT_NE(out_.find("examples 1 passed, 0 failed"), std::string::npos) << out_;
}

TEST_F(CheckCommandTest, ABadConfigKeyFailsWithItsPlace) {
  write_config("limits:\n  burst: 0\n");
  EXPECT_EQ(check({"--config", config()}), 1);
  EXPECT_NE(err_.find(config() + ":5:10:"), std::string::npos) << err_;
  EXPECT_NE(err_.find("check: failed"), std::string::npos);
  EXPECT_EQ(out_.find("examples"), std::string::npos) << "the intents are not checked under a bad config";
}

TEST_F(CheckCommandTest, AMissingConfigSaysWhereItLooked) {
  EXPECT_EQ(check({"--config", (dir_ / "nowhere.yaml").string()}), 1);
  EXPECT_NE(err_.find("check: looked for the config in " + (dir_ / "nowhere.yaml").string() + ": not found"),
            std::string::npos)
      << err_;
}

TEST_F(CheckCommandTest, AMissingIntentDirectorySaysWhichConfigKeyNamedIt) {
  fs::rename(dir_ / "etc/intents", dir_ / "etc/intents.moved");
  EXPECT_EQ(check({"--config", config()}), 1);
  EXPECT_NE(err_.find("check: looked for the intent files in " + (dir_ / "etc/intents").string() +
                      " (paths.intents in " + config() + "): not found"),
            std::string::npos)
      << err_;
  EXPECT_EQ(err_.find("looked for the shop facts"), std::string::npos) << "the shop file is there: " << err_;
}

TEST_F(CheckCommandTest, AnOptionOverridesTheConfigsPath) {
  EXPECT_EQ(check({"--config", config(), "--shop", (dir_ / "other-shop.yaml").string()}), 1);
  EXPECT_NE(err_.find("check: looked for the shop facts in " + (dir_ / "other-shop.yaml").string() + " (--shop)"),
            std::string::npos)
      << err_;
}

TEST_F(CheckCommandTest, ARelativeDefaultIsShownFromTheCurrentDirectory) {
  // No config and no source tree here: the built-in defaults, relative.
  const fs::path before = fs::current_path();
  fs::current_path(dir_);
  const int code = check({"--shop", "etc/shop.yaml"});
  fs::current_path(before);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err_.find("check: looked for the intent files in " + (dir_ / "intents").string() +
                      " (the default; --intents or --config to change it): not found"),
            std::string::npos)
      << err_;
}

}  // namespace
}  // namespace xiaoer::app
