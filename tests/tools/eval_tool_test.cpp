#include "daemon/tools/eval_tool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace xiaoer::tools {
namespace {

class EvalToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() / ("xiaoer-eval-" + std::to_string(::getpid()) + ".jsonl");
    std::ofstream(file_) << R"({"text": "发什么快递", "intents": ["shipping"]})" << "\n"
                         << R"({"text": "我的电脑开不了机", "intents": []})" << "\n"
                         << R"({"text": "能开发票吗", "intents": ["none"]})" << "\n";
  }
  void TearDown() override { std::filesystem::remove(file_); }

  int eval(std::vector<std::string> extra, std::string* out, std::string* err) {
    std::vector<std::string> args = {"--intents", std::string(XIAOER_SOURCE_DIR) + "/intents", "--shop",
                                     std::string(XIAOER_SOURCE_DIR) + "/config/shop.yaml"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file_.string());
    std::ostringstream o, e;
    const int code = run_eval(args, o, e);
    *out = o.str();
    *err = e.str();
    return code;
  }

  std::filesystem::path file_;
};

TEST_F(EvalToolTest, PrintsTheSpecLineLast) {
  std::string out, err;
  EXPECT_EQ(eval({}, &out, &err), 0) << err;
  // The third line is labelled none but asks for an invoice: one wrong line.
  EXPECT_NE(out.find("eval: n=3 accuracy=0.667 coverage=1.000 wrong=0.333 handoff=0.000\n"), std::string::npos) << out;
  EXPECT_NE(out.find("none → invoice  能开发票吗"), std::string::npos) << out;
  EXPECT_NE(out.find("precision"), std::string::npos);
}

TEST_F(EvalToolTest, BarsMakeItACheck) {
  std::string out, err;
  EXPECT_EQ(eval({"--min-accuracy", "0.9"}, &out, &err), 1);
  EXPECT_NE(err.find("below the bar"), std::string::npos);
  EXPECT_EQ(eval({"--min-accuracy", "0.5", "--max-wrong", "0.4"}, &out, &err), 0) << err;
  EXPECT_EQ(eval({"--max-wrong", "x"}, &out, &err), 2);
}

}  // namespace
}  // namespace xiaoer::tools
