#include "daemon/tools/gaps_tool.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/chat/traffic_line.hpp"
#include "daemon/tools/gap_groups.hpp"
#include "tests/test_dir.hpp"
#include "tests/test_intents.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::tools {
namespace {

namespace fs = std::filesystem;

TEST(GapGroups, PhrasesAreRunsOfCharactersWithinWords) {
  const GapOptions options;
  const std::vector<std::string> phrases = phrases_of("电池多少钱,满[数字x]减", options);
  for (const char* p : {"电池", "电池多少钱", "多少", "满#", "满#减", "#减"}) {
    EXPECT_NE(std::find(phrases.begin(), phrases.end(), p), phrases.end()) << p;
  }
  for (const char* p : {"钱满", "钱,满", "#"}) {  // no phrase crosses a comma; a placeholder alone says nothing
    EXPECT_EQ(std::find(phrases.begin(), phrases.end(), p), phrases.end()) << p;
  }
}

TEST(GapGroups, BiggestGroupFirstAndCommonPhrasesAreNoKeys) {
  const std::vector<std::string> gaps = {"优惠券怎么用", "电池能用多久", "领的优惠券用不了", "电池是原装的吗",
                                         "今天天气不错", "优惠券在哪里领", "电池鼓包了"};
  const std::vector<std::size_t> repeats = {3, 1, 1, 1, 1, 1, 1};
  std::vector<std::string> all = gaps;
  const auto groups = group_gaps(gaps, repeats, all, GapOptions{});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].phrase, "优惠券");
  EXPECT_EQ(groups[0].weight, 5u);
  EXPECT_EQ(groups[0].members, (std::vector<std::size_t>{0, 2, 5}));
  EXPECT_EQ(groups[1].phrase, "电池");
  EXPECT_EQ(groups[1].weight, 3u);
  // In a large traffic where every message says 电池, it ties nothing.
  for (int i = 0; i < 400; ++i) all.push_back("电池" + std::to_string(i));
  const auto common = group_gaps(gaps, repeats, all, GapOptions{});
  ASSERT_EQ(common.size(), 1u);
  EXPECT_EQ(common[0].phrase, "优惠券");
}

// A temporary intents directory, shop file and traffic file.
class GapsToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-gaps-");
    fs::create_directories(dir_ / "intents");
    write("shop.yaml", testing::kTestShop);
    write("intents/fallback.yaml", testing::kTestFallback);
    for (const auto& [name, text] : testing::test_intent_files()) write("intents/" + name, text);
    // Three known clusters nothing recognises, lines the intents answer,
    // and lines that share nothing.
    write("traffic.txt",
          "优惠券怎么用\n电池能用多久\n发什么快递\n{\"text\": \"领的优惠券用不了\", \"chat\": \"c1\"}\n"
          "会员积分怎么兑换\n电池是原装的吗\n能开发票吗\n优惠券在哪里领\n今天天气不错\n会员积分有什么用\n"
          "电池鼓包了[微笑]\n谢谢\n优惠券怎么用\n\n我的会员积分没了\n随便看看\n电池多少毫安\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  int gaps(std::vector<std::string> extra, std::string* out, std::string* err) {
    std::vector<std::string> args = {"--intents", (dir_ / "intents").string(), "--shop", (dir_ / "shop.yaml").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream o, e;
    const int code = run_gaps(args, o, e);
    *out = o.str();
    *err = e.str();
    return code;
  }

  fs::path dir_;
};

TEST_F(GapsToolTest, GroupsTheUnrecognisedLinesBySharedPhrases) {
  std::string out, err;
  ASSERT_EQ(gaps({"--json", (dir_ / "traffic.txt").string()}, &out, &err), 0) << err;
  const nlohmann::json json = nlohmann::json::parse(out);
  EXPECT_EQ(json["messages"], 16);
  EXPECT_EQ(json["unrecognised"], 13);
  const nlohmann::json& groups = json["groups"];
  ASSERT_EQ(groups.size(), 3u) << out;
  EXPECT_EQ(groups[0]["phrase"], "优惠券");
  EXPECT_EQ(groups[0]["size"], 4);  // one of them twice
  EXPECT_EQ(groups[0]["examples"].size(), 3u);
  EXPECT_EQ(groups[0]["examples"][1], "领的优惠券用不了");  // JSON lines are read by their text
  EXPECT_EQ(groups[1]["phrase"], "电池");
  EXPECT_EQ(groups[1]["size"], 4);
  EXPECT_EQ(groups[2]["phrase"], "会员积分");
  EXPECT_EQ(groups[2]["size"], 3);
}

TEST_F(GapsToolTest, TextReportAndTop) {
  std::string out, err;
  ASSERT_EQ(gaps({"--top", "1", (dir_ / "traffic.txt").string()}, &out, &err), 0) << err;
  EXPECT_EQ(out.rfind("gaps: 16 messages, 13 not recognised (", 0), 0u) << out;
  EXPECT_NE(out.find(" %), 3 groups; "), std::string::npos) << out;
  EXPECT_NE(out.find("1. 4 messages  \"优惠券\""), std::string::npos) << out;
  EXPECT_NE(out.find("   - 优惠券怎么用\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("2. "), std::string::npos) << out;
}

// The daemon's traffic sample is read as it is written.
TEST_F(GapsToolTest, ReadsTheDaemonsTrafficSample) {
  std::string sample;
  for (const char* text : {"优惠券怎么用", "领的优惠券用不了", "优惠券在哪里领", "谢谢"}) {
    sample += chat::to_json_line({text, 1763800000000, "chat-1", "taobao", {}, "fallback", false});
  }
  write("sample.jsonl", sample);
  std::string out, err;
  ASSERT_EQ(gaps({"--json", (dir_ / "sample.jsonl").string()}, &out, &err), 0) << err;
  const nlohmann::json json = nlohmann::json::parse(out);
  EXPECT_EQ(json["messages"], 4);
  EXPECT_EQ(json["unrecognised"], 3);
  ASSERT_EQ(json["groups"].size(), 1u) << out;
  EXPECT_EQ(json["groups"][0]["phrase"], "优惠券");
  EXPECT_EQ(json["groups"][0]["size"], 3);
}

TEST_F(GapsToolTest, BadArgumentsAndMissingFile) {
  std::string out, err;
  EXPECT_EQ(gaps({}, &out, &err), 2);
  EXPECT_EQ(gaps({"--top", "x", "f"}, &out, &err), 2);
  EXPECT_EQ(gaps({(dir_ / "missing.txt").string()}, &out, &err), 1);
  EXPECT_NE(err.find("missing.txt: cannot open"), std::string::npos) << err;
}

}  // namespace
}  // namespace xiaoer::tools
