#include "daemon/tools/check_tool.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <set>

#include "daemon/engine/example_check.hpp"
#include "daemon/tools/tool_args.hpp"

namespace xiaoer::tools {
namespace {

// Mean cost of respond() over every example, each the first time the
// engine sees it: what a buyer's new message costs (a text seen before is
// answered from the intent set's memo, for less).
double nanoseconds_per_message(const engine::Engine& engine) {
  std::vector<const std::string*> texts;
  for (const nlu::Intent& intent : engine.intent_set().intents()) {
    for (const nlu::SourceText& e : intent.examples) texts.push_back(&e.text);
  }
  if (texts.empty()) return 0;
  const nlu::Context fresh;
  std::size_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const std::string* text : texts) sink += engine.respond(*text, fresh, "default").text.size();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  return sink == 0 ? 0 : std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(texts.size());
}

// For each source that does not exist: its absolute path (a relative one
// is taken from the current directory) and what named it, so that a check
// run from the wrong directory or with the wrong config says so.
void say_where_missing(const engine::EngineSources& sources, const std::vector<std::string>& args,
                       const CheckDefaults& defaults, std::ostream& err) {
  struct Source {
    const char* what;
    const std::string& path;
    const char* option;
    const char* key;
  };
  const Source all[] = {{"the intent files", sources.intents_dir, "--intents", "paths.intents"},
                        {"the shop facts", sources.shop_file, "--shop", "paths.shop"},
                        {"the OpenCC dictionary", sources.opencc_dictionary, "--opencc", "paths.opencc"}};
  for (const Source& source : all) {
    std::error_code ec;
    if (std::filesystem::exists(source.path, ec)) continue;
    std::string named_by;
    if (std::find(args.begin(), args.end(), source.option) != args.end()) {
      named_by = source.option;
    } else if (!defaults.from.empty()) {
      named_by = std::string(source.key) + " in " + defaults.from;
    } else {
      named_by = std::string("the default; ") + source.option + " or --config to change it";
    }
    err << "check: looked for " << source.what << " in " << std::filesystem::absolute(source.path, ec).string()
        << " (" << named_by << "): not found\n";
  }
}

}  // namespace

int run_check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_check(args, CheckDefaults{}, out, err);
}

int run_check(const std::vector<std::string>& args, const CheckDefaults& defaults, std::ostream& out,
              std::ostream& err) {
  ToolArgs parsed;
  parsed.sources = defaults.sources;
  if (!parse_tool_args(args, &parsed, err) || !parsed.positional.empty()) {
    err << "usage: xiaoerd check [--config FILE] [--intents DIR] [--shop FILE] [--catalogue PATH] [--opencc FILE]\n";
    return 2;
  }
  const auto engine = load_engine(parsed.sources, err, /*warnings=*/true);
  if (!engine) {
    say_where_missing(parsed.sources, args, defaults, err);
    err << "check: failed\n";
    return 1;
  }
  const double cost = nanoseconds_per_message(*engine);  // before the examples are checked: first sight
  const engine::ExampleReport report = engine::check_examples(*engine);
  for (const common::Diagnostic& d : report.failures) err << d.to_string() << "\n";

  const nlu::IntentSet& set = engine->intent_set();
  std::set<std::string> topics;
  for (const nlu::Intent& intent : set.intents()) topics.insert(intent.topic);
  out << "check: " << set.intents().size() << " intents in " << topics.size() << " topics, " << set.rules().size()
      << " rules, chosen by " << set.matcher().atom_count() << " literals\n";
  out << "check: program size " << set.program_size() << " instructions, memory budget "
      << (parsed.sources.max_mem >> 20) << " MiB a rule\n";
  out << "check: " << std::fixed << std::setprecision(0) << cost
      << " ns per new message (normalise, classify, render; mean over the examples, each seen once)\n";
  if (const catalogue::Catalogue* items = engine->catalogue()) {
    out << "check: catalogue " << items->items.size() << " items, " << items->skus() << " SKUs\n";
  }
  out << "check: examples " << report.passed << " passed, " << report.failed << " failed\n";
  if (report.failed > 0) {
    err << "check: failed\n";
    return 1;
  }
  out << "check: ok\n";
  return 0;
}

}  // namespace xiaoer::tools
