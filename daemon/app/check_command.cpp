#include "daemon/app/check_command.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "daemon/app/config.hpp"
#include "daemon/tools/check_tool.hpp"

namespace xiaoer::app {
namespace {

constexpr const char* kDefaultConfigs[] = {"config/xiaoerd.yaml", "/etc/xiaoer/xiaoerd.yaml"};

// The config to check: --config's (removed from *args), else with no
// option at all the first default that exists, else "".
std::string config_to_check(std::vector<std::string>* args) {
  const auto option = std::find(args->begin(), args->end(), "--config");
  if (option != args->end() && option + 1 != args->end()) {
    std::string file = *(option + 1);
    args->erase(option, option + 2);
    return file;
  }
  if (!args->empty()) return "";
  for (const char* file : kDefaultConfigs) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(file, ec)) return file;
  }
  return "";
}

}  // namespace

int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args.back() == "--config") {
    err << "--config needs a value\n";
    return 2;
  }
  std::vector<std::string> rest = args;
  const std::string file = config_to_check(&rest);
  if (file.empty()) return tools::run_check(rest, out, err);

  const LoadedConfig loaded = load_config(file);
  for (const common::Diagnostic& d : loaded.diagnostics) err << d.to_string() << "\n";
  if (common::has_errors(loaded.diagnostics)) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      err << "check: looked for the config in " << std::filesystem::absolute(file, ec).string() << ": not found\n";
    }
    err << "check: failed\n";
    return 1;
  }
  out << "check: config " << file << " ok\n";
  return tools::run_check(rest, tools::CheckDefaults{loaded.config.engine, file}, out, err);
}

}  // namespace xiaoer::app
