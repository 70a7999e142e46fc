// xiaoerd: the one binary. `serve` runs the daemon; check, try, eval, gaps
// and diff are the tools for intent files (SPEC section 6); reload asks the
// running daemon to reload (docs/tuning.md).
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/app/app.hpp"
#include "daemon/app/check_command.hpp"
#include "daemon/app/config.hpp"
#include "daemon/app/config_table.hpp"
#include "daemon/app/reload_command.hpp"
#include "daemon/common/version.hpp"
#include "daemon/tools/agent_tool.hpp"
#include "daemon/tools/chat_tool.hpp"
#include "daemon/tools/diff_tool.hpp"
#include "daemon/tools/eval_tool.hpp"
#include "daemon/tools/gaps_tool.hpp"
#include "daemon/tools/try_tool.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: xiaoerd COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  serve [--config FILE]                      run the daemon (default config/xiaoerd.yaml)\n"
    "  check [--config FILE] [--intents DIR] [--shop FILE]\n"
    "                                             check the config, compile and lint the intents and shop\n"
    "                                             facts it names, run every example (no option: the config\n"
    "                                             config/xiaoerd.yaml, else /etc/xiaoer/xiaoerd.yaml)\n"
    "  try [--channel NAME] TEXT [TEXT...]        what the bot would do, and why (texts are one chat)\n"
    "  chat [URL] [--say TEXT]                    chat as a buyer with a running daemon (protocol v1)\n"
    "  eval FILE.jsonl                            precision, recall, F1 and the eval line on labelled lines\n"
    "  options                                    every config option: reload or restart, range, default\n"
    "  gaps [--top N] [--json] FILE...            what the intents did not recognise, grouped by shared phrases\n"
    "  diff --before DIR --after DIR FILE...      what an edit of the intents changes on traffic (exit 1 if any)\n"
    "  reload [--config FILE] [--force]           reload the running daemon and print what changed\n"
    "  agent add|list|remove|reset|set [NAME] [--config FILE]  the console's agent accounts (docs/console.md)\n"
    "\n"
    "common options: --intents DIR (default intents), --shop FILE (default config/shop.yaml),\n"
    "                --opencc FILE (default /usr/share/opencc/TSCharacters.ocd2)\n"
    "--version prints the version.\n";

// `agent …`: the accounts file comes from the config (--config FILE).
int run_agent_command(std::vector<std::string> args) {
  std::string config_path = "config/xiaoerd.yaml";
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      config_path = args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      break;
    }
  }
  const xiaoer::app::LoadedConfig loaded = xiaoer::app::load_config(config_path);
  if (xiaoer::common::has_errors(loaded.diagnostics)) {
    for (const auto& d : loaded.diagnostics) std::cerr << d.to_string() << "\n";
    return 1;
  }
  const std::string file = xiaoer::app::agents_file(loaded.config, config_path);
  const xiaoer::app::StoreConfig& store = loaded.config.store;
  if (store.backend != xiaoer::app::StoreBackend::kRedis) {
    return xiaoer::tools::run_agent(args, xiaoer::tools::accounts_file(file), std::cout, std::cerr);
  }
  // Shared by the daemons on that Redis (the file seeds it).
  std::string error;
  const auto endpoint = xiaoer::store::redis::parse_redis_url(store.redis_url, &error);
  if (!endpoint) {
    std::cerr << config_path << ": store.redis_url: " << error << "\n";
    return 1;
  }
  return xiaoer::tools::run_agent(args, xiaoer::tools::accounts_on_redis(*endpoint, store.redis_key_prefix, file),
                                  std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::cerr << kUsage;
      return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "serve") {
      if (args.size() == 2 && args[0] == "--config") return xiaoer::app::serve(args[1]);
      if (args.empty()) return xiaoer::app::serve("config/xiaoerd.yaml");
      std::cerr << "usage: xiaoerd serve [--config FILE]\n";
      return 2;
    }
    if (command == "check") return xiaoer::app::run_check_command(args, std::cout, std::cerr);
    if (command == "try") return xiaoer::tools::run_try(args, std::cout, std::cerr);
    if (command == "chat") return xiaoer::tools::run_chat(args, std::cin, std::cout, std::cerr);
    if (command == "eval") return xiaoer::tools::run_eval(args, std::cout, std::cerr);
    if (command == "options" && args.empty()) {
      std::cout << xiaoer::app::describe_config_table();
      return 0;
    }
    if (command == "gaps") return xiaoer::tools::run_gaps(args, std::cout, std::cerr);
    if (command == "diff") return xiaoer::tools::run_diff(args, std::cout, std::cerr);
    if (command == "reload") return xiaoer::app::run_reload(args, std::cout, std::cerr);
    if (command == "--version" || command == "version") {
      std::cout << "xiaoerd " << xiaoer::common::version() << "\n";
      return 0;
    }
    if (command == "agent") return run_agent_command(args);
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
