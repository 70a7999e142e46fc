// The arguments every engine tool (check, try, eval) shares, and loading an
// engine from them with its diagnostics printed.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "daemon/engine/engine.hpp"

namespace xiaoer::tools {

struct ToolArgs {
  engine::EngineSources sources;
  std::string channel = "default";
  std::string item;  // --item: the message's meta.item_id
  std::vector<std::string> positional;
};

// Parses --intents DIR, --shop FILE, --catalogue PATH, --opencc FILE,
// --channel NAME, --item ID and positional arguments. Returns false and writes why to `err` on a bad one.
bool parse_tool_args(const std::vector<std::string>& args, ToolArgs* out, std::ostream& err);

// Loads the engine; prints every diagnostic (warnings too, if `warnings`)
// to `err`. Null when there were errors.
std::shared_ptr<const engine::Engine> load_engine(const engine::EngineSources& sources, std::ostream& err,
                                                  bool warnings);

}  // namespace xiaoer::tools
