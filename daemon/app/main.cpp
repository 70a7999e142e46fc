// xiaoerd: the one binary. `serve` runs the daemon; check, try and eval are
// the tools for intent files (SPEC section 6).
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/tools/check_tool.hpp"
#include "daemon/tools/eval_tool.hpp"
#include "daemon/tools/try_tool.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: xiaoerd COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  check [--intents DIR] [--shop FILE]        compile and lint intents and shop facts, run every example\n"
    "  try [--channel NAME] TEXT [TEXT...]        what the bot would do, and why (texts are one chat)\n"
    "  eval FILE.jsonl                            precision, recall, F1 and the eval line on labelled lines\n"
    "\n"
    "common options: --intents DIR (default intents), --shop FILE (default config/shop.yaml),\n"
    "                --opencc FILE (default /usr/share/opencc/TSCharacters.ocd2)\n";

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::cerr << kUsage;
      return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "check") return xiaoer::tools::run_check(args, std::cout, std::cerr);
    if (command == "try") return xiaoer::tools::run_try(args, std::cout, std::cerr);
    if (command == "eval") return xiaoer::tools::run_eval(args, std::cout, std::cerr);
    if (command == "help" || command == "--help" || command == "-h") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "xiaoerd: unknown command '" << command << "'\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "xiaoerd: " << e.what() << "\n";
    return 1;
  }
}
