#include "daemon/tools/tool_args.hpp"

#include <ostream>

namespace xiaoer::tools {

bool parse_tool_args(const std::vector<std::string>& args, ToolArgs* out, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string* target = nullptr;
    if (arg == "--intents") {
      target = &out->sources.intents_dir;
    } else if (arg == "--shop") {
      target = &out->sources.shop_file;
    } else if (arg == "--catalogue") {
      target = &out->sources.catalogue;
    } else if (arg == "--item") {
      target = &out->item;
    } else if (arg == "--opencc") {
      target = &out->sources.opencc_dictionary;
    } else if (arg == "--channel") {
      target = &out->channel;
    } else if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
      err << "unknown option " << arg << "\n";
      return false;
    } else {
      out->positional.push_back(arg);
      continue;
    }
    if (i + 1 >= args.size()) {
      err << arg << " needs a value\n";
      return false;
    }
    *target = args[++i];
  }
  return true;
}

std::shared_ptr<const engine::Engine> load_engine(const engine::EngineSources& sources, std::ostream& err,
                                                  bool warnings) {
  engine::Engine::LoadResult loaded = engine::Engine::load(sources);
  for (const common::Diagnostic& d : loaded.diagnostics) {
    if (warnings || d.severity == common::Severity::kError) err << d.to_string() << "\n";
  }
  return loaded.engine;
}

}  // namespace xiaoer::tools
