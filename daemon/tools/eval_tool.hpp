// `xiaoerd eval FILE.jsonl`: per-topic precision, recall and F1, the
// confusion of topics, the misclassified lines, and last the line
// `eval: n=N accuracy=A coverage=C wrong=W handoff=H`.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

int run_eval(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace xiaoer::tools
