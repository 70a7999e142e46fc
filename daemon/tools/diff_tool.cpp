#include "daemon/tools/diff_tool.hpp"

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "daemon/tools/answer_diff.hpp"
#include "daemon/tools/tool_args.hpp"

namespace xiaoer::tools {
namespace {

constexpr std::string_view kUsage =
    "usage: xiaoerd diff --before DIR --after DIR [--before-shop FILE] [--after-shop FILE] [--shop FILE]\n"
    "                    [--opencc FILE] [--channel NAME] [--examples N] [--json] FILE…\n";

struct DiffArgs {
  std::string before, after;
  std::string before_shop, after_shop;
  std::size_t examples = 3;
  bool json = false;
  bool shop_given = false;  // --shop: both sides' shop facts
  ToolArgs common;  // --shop, --opencc, --channel, the files
};

bool parse(const std::vector<std::string>& args, DiffArgs& out, std::ostream& err) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string* target = arg == "--before"        ? &out.before
                          : arg == "--after"       ? &out.after
                          : arg == "--before-shop" ? &out.before_shop
                          : arg == "--after-shop"  ? &out.after_shop
                                                   : nullptr;
    if (arg == "--shop") out.shop_given = true;
    if (arg == "--json") {
      out.json = true;
    } else if (arg == "--examples") {
      char* end = nullptr;
      const long n = i + 1 < args.size() ? std::strtol(args[i + 1].c_str(), &end, 10) : -1;
      if (end == nullptr || *end != '\0' || n < 0) {
        err << "--examples needs a number\n";
        return false;
      }
      out.examples = static_cast<std::size_t>(n);
      ++i;
    } else if (target != nullptr) {
      if (i + 1 >= args.size()) {
        err << arg << " needs a value\n";
        return false;
      }
      *target = args[++i];
    } else {
      rest.push_back(arg);
    }
  }
  if (!parse_tool_args(rest, &out.common, err)) return false;
  if (out.before.empty() || out.after.empty() || out.common.positional.empty()) {
    err << "--before, --after and at least one FILE are needed\n";
    return false;
  }
  return true;
}

// One side's sources: its intents dir and its shop facts.
engine::EngineSources side(const DiffArgs& args, const std::string& dir, const std::string& shop) {
  engine::EngineSources sources = args.common.sources;
  sources.intents_dir = dir;
  std::error_code ec;
  if (!shop.empty()) {
    sources.shop_file = shop;
  } else if (!args.shop_given && std::filesystem::exists(std::filesystem::path(dir) / "shop.yaml", ec)) {
    sources.shop_file = (std::filesystem::path(dir) / "shop.yaml").string();
  }
  return sources;
}

}  // namespace

int run_diff(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  DiffArgs parsed;
  if (!parse(args, parsed, err)) {
    err << kUsage;
    return 2;
  }
  const auto before = load_engine(side(parsed, parsed.before, parsed.before_shop), err, false);
  if (!before) {
    err << "diff: the --before side does not load\n";
    return 2;
  }
  const auto after = load_engine(side(parsed, parsed.after, parsed.after_shop), err, false);
  if (!after) {
    err << "diff: the --after side does not load\n";
    return 2;
  }
  std::vector<TrafficEntry> messages;
  for (const std::string& path : parsed.common.positional) {
    if (!read_traffic_file(path, messages, err)) return 2;
  }
  const AnswerDiff diff = diff_answers(*before, *after, messages, parsed.common.channel, parsed.examples);
  if (parsed.json) {
    out << answer_diff_json(diff) << "\n";
  } else {
    print_answer_diff(diff, out);
  }
  return diff.changed == 0 ? 0 : 1;
}

}  // namespace xiaoer::tools
