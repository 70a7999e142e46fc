#include "daemon/tools/gaps_tool.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <ostream>
#include <unordered_map>

#include "daemon/tools/gap_groups.hpp"
#include "daemon/tools/tool_args.hpp"
#include "daemon/tools/traffic_file.hpp"

namespace xiaoer::tools {
namespace {

constexpr std::size_t kExamples = 3;

struct Traffic {
  std::size_t lines = 0;
  std::vector<std::string> all_cores;     // every message
  std::vector<std::string> gap_cores;     // unrecognised, distinct
  std::vector<std::string> gap_examples;  // the first raw text of each
  std::vector<std::size_t> repeats;
  std::size_t unrecognised = 0;
};

bool read_traffic(const std::vector<std::string>& paths, const engine::Engine& engine, const std::string& channel,
                  Traffic& traffic, std::ostream& err) {
  std::vector<TrafficEntry> entries;
  for (const std::string& path : paths) {
    if (!read_traffic_file(path, entries, err)) return false;
  }
  std::unordered_map<std::string, std::size_t> seen;
  const nlu::Context fresh;
  for (const TrafficEntry& entry : entries) {
    ++traffic.lines;
    engine::Outcome outcome = engine.respond(entry.text, fresh, entry.channel.empty() ? channel : entry.channel);
    if (!outcome.topics.empty()) {
      traffic.all_cores.push_back(std::move(outcome.core));
      continue;
    }
    ++traffic.unrecognised;
    const auto [it, added] = seen.emplace(outcome.core, traffic.gap_cores.size());
    if (added) {
      traffic.gap_cores.push_back(outcome.core);
      traffic.gap_examples.push_back(entry.text);
      traffic.repeats.push_back(0);
    }
    ++traffic.repeats[it->second];
    traffic.all_cores.push_back(std::move(outcome.core));
  }
  return true;
}

void print_text(const Traffic& traffic, const std::vector<GapGroup>& groups, std::size_t top, double seconds,
                std::ostream& out) {
  out << "gaps: " << traffic.lines << " messages, " << traffic.unrecognised << " not recognised ("
      << std::fixed << std::setprecision(1)
      << (traffic.lines == 0 ? 0.0 : 100.0 * static_cast<double>(traffic.unrecognised) / traffic.lines) << " %), "
      << groups.size() << " groups; " << std::setprecision(2) << seconds << " s\n";
  for (std::size_t g = 0; g < groups.size() && g < top; ++g) {
    const GapGroup& group = groups[g];
    out << "\n" << g + 1 << ". " << group.weight << " messages  \"" << group.phrase << "\"";
    for (const std::string& phrase : group.tying) out << "  \"" << phrase << "\"";
    out << "\n";
    for (std::size_t e = 0; e < group.members.size() && e < kExamples; ++e) {
      out << "   - " << traffic.gap_examples[group.members[e]] << "\n";
    }
  }
}

void print_json(const Traffic& traffic, const std::vector<GapGroup>& groups, std::size_t top, std::ostream& out) {
  nlohmann::json json = {{"messages", traffic.lines}, {"unrecognised", traffic.unrecognised}};
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t g = 0; g < groups.size() && g < top; ++g) {
    const GapGroup& group = groups[g];
    nlohmann::json examples = nlohmann::json::array();
    for (std::size_t e = 0; e < group.members.size() && e < kExamples; ++e) {
      examples.push_back(traffic.gap_examples[group.members[e]]);
    }
    list.push_back({{"size", group.weight}, {"phrase", group.phrase}, {"phrases", group.tying}, {"examples", examples}});
  }
  json["groups"] = std::move(list);
  out << json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int run_gaps(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> rest;
  std::size_t top = 20;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--top") {
      char* end = nullptr;
      const long n = i + 1 < args.size() ? std::strtol(args[i + 1].c_str(), &end, 10) : 0;
      if (end == nullptr || *end != '\0' || n <= 0) {
        err << "--top needs a positive number\n";
        return 2;
      }
      top = static_cast<std::size_t>(n);
      ++i;
    } else {
      rest.push_back(args[i]);
    }
  }
  ToolArgs parsed;
  if (!parse_tool_args(rest, &parsed, err) || parsed.positional.empty()) {
    err << "usage: xiaoerd gaps [--intents DIR] [--shop FILE] [--top N] [--json] FILE…\n";
    return 2;
  }
  const auto engine = load_engine(parsed.sources, err, /*warnings=*/false);
  if (!engine) return 1;
  const auto start = std::chrono::steady_clock::now();
  Traffic traffic;
  if (!read_traffic(parsed.positional, *engine, parsed.channel, traffic, err)) return 1;
  const std::vector<GapGroup> groups = group_gaps(traffic.gap_cores, traffic.repeats, traffic.all_cores, GapOptions{});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (json) {
    print_json(traffic, groups, top, out);
  } else {
    print_text(traffic, groups, top, seconds, out);
  }
  return 0;
}

}  // namespace xiaoer::tools
