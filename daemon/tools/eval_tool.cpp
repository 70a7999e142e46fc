#include "daemon/tools/eval_tool.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <ostream>

#include "daemon/tools/eval_metrics.hpp"
#include "daemon/tools/tool_args.hpp"

namespace xiaoer::tools {
namespace {

std::string join(const std::set<std::string>& topics) {
  if (topics.empty()) return kNoTopic;
  std::string out;
  for (const std::string& t : topics) out += (out.empty() ? "" : ",") + t;
  return out;
}

// Reads one labelled line; false (with `error`) when it is not of the form
// {"text": "...", "intents": ["topic", ...], "item": "..."} (item optional:
// the message's meta.item_id).
bool parse_line(const std::string& raw, EvalLine* line, std::string* item, std::string* error) {
  const nlohmann::json json = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    *error = "not a JSON object";
    return false;
  }
  const auto text = json.find("text");
  const auto intents = json.find("intents");
  if (text == json.end() || !text->is_string()) {
    *error = "'text' must be a string";
    return false;
  }
  if (intents == json.end() || !intents->is_array()) {
    *error = "'intents' must be a list of topics";
    return false;
  }
  line->text = text->get<std::string>();
  if (const auto found = json.find("item"); found != json.end()) {
    if (!found->is_string()) {
      *error = "'item' must be a string";
      return false;
    }
    *item = found->get<std::string>();
  }
  for (const auto& topic : *intents) {
    if (!topic.is_string()) {
      *error = "'intents' must hold strings";
      return false;
    }
    if (topic.get<std::string>() != kNoTopic) line->gold.insert(topic.get<std::string>());
  }
  return true;
}

void print_report(const EvalSummary& s, const std::vector<EvalLine>& lines, std::ostream& out) {
  out << std::fixed << std::setprecision(3);
  out << "topic          precision  recall     f1   gold  predicted\n";
  for (const auto& [topic, c] : s.topics) {
    out << std::left << std::setw(14) << topic << std::right << std::setw(10) << c.precision() << std::setw(8)
        << c.recall() << std::setw(7) << c.f1() << std::setw(7) << c.true_positive + c.false_negative
        << std::setw(11) << c.true_positive + c.false_positive << "\n";
  }
  std::set<std::string> columns;
  for (const auto& [gold, row] : s.confusion) {
    for (const auto& [predicted, count] : row) columns.insert(predicted);
  }
  out << "\nconfusion (rows: gold, columns: predicted)\n" << std::setw(12) << "";
  for (const std::string& c : columns) out << std::setw(11) << c;
  out << "\n";
  for (const auto& [gold, row] : s.confusion) {
    out << std::left << std::setw(12) << gold << std::right;
    for (const std::string& c : columns) {
      const auto it = row.find(c);
      out << std::setw(11) << (it == row.end() ? 0 : it->second);
    }
    out << "\n";
  }
  out << "\nmisclassified (gold → predicted)\n";
  for (const EvalLine& line : lines) {
    if (line.gold != line.predicted) {
      out << "  " << join(line.gold) << " → " << join(line.predicted) << "  " << line.text << "\n";
    }
  }
  out << "\neval: n=" << s.n << " accuracy=" << s.accuracy << " coverage=" << s.coverage << " wrong=" << s.wrong
      << " handoff=" << s.handoff << "\n";
}

}  // namespace

int run_eval(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // --min-accuracy and --max-wrong turn the report into a check (for CI).
  std::vector<std::string> rest;
  double min_accuracy = 0, max_wrong = 1;
  for (std::size_t i = 0; i < args.size(); ++i) {
    double* bound = args[i] == "--min-accuracy" ? &min_accuracy : args[i] == "--max-wrong" ? &max_wrong : nullptr;
    if (bound == nullptr) {
      rest.push_back(args[i]);
      continue;
    }
    char* end = nullptr;
    if (i + 1 >= args.size() || (*bound = std::strtod(args[i + 1].c_str(), &end), *end != '\0')) {
      err << args[i] << " needs a number\n";
      return 2;
    }
    ++i;
  }
  ToolArgs parsed;
  if (!parse_tool_args(rest, &parsed, err) || parsed.positional.size() != 1) {
    err << "usage: xiaoerd eval [--intents DIR] [--shop FILE] [--catalogue PATH] [--min-accuracy A] [--max-wrong W] "
           "FILE.jsonl\n";
    return 2;
  }
  const std::string& path = parsed.positional.front();
  std::ifstream in(path);
  if (!in) {
    err << path << ": cannot open\n";
    return 1;
  }
  const auto engine = load_engine(parsed.sources, err, /*warnings=*/false);
  if (!engine) return 1;

  std::vector<EvalLine> lines;
  std::string raw;
  int number = 0, bad = 0;
  const nlu::Context fresh;
  while (std::getline(in, raw)) {
    ++number;
    if (raw.find_first_not_of(" \t\r") == std::string::npos) continue;
    EvalLine line;
    std::string item, error;
    if (!parse_line(raw, &line, &item, &error)) {
      err << path << ":" << number << ": " << error << "\n";
      ++bad;
      continue;
    }
    // A question asked back about the item answers its topic (the topic is kept).
    const engine::Outcome outcome = engine->respond(line.text, fresh, parsed.channel, {item});
    line.predicted.insert(outcome.topics.begin(), outcome.topics.end());
    line.handed_off = outcome.kind == engine::Outcome::Kind::kHandoff;
    lines.push_back(std::move(line));
  }
  const EvalSummary summary = summarize(lines);
  print_report(summary, lines, out);
  if (summary.accuracy < min_accuracy || summary.wrong > max_wrong) {
    err << "eval: below the bar (accuracy ≥ " << min_accuracy << ", wrong ≤ " << max_wrong << ")\n";
    return 1;
  }
  return bad == 0 ? 0 : 1;
}

}  // namespace xiaoer::tools
