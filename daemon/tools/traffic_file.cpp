#include "daemon/tools/traffic_file.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <ostream>

namespace xiaoer::tools {

TrafficEntry parse_traffic_line(const std::string& line) {
  const std::size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const std::string trimmed = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
  if (trimmed.front() != '{') return {trimmed, ""};
  const nlohmann::json json = nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return {trimmed, ""};
  TrafficEntry entry;
  if (const auto text = json.find("text"); text != json.end() && text->is_string()) entry.text = text->get<std::string>();
  if (const auto channel = json.find("channel"); channel != json.end() && channel->is_string()) {
    entry.channel = channel->get<std::string>();
  }
  return entry;
}

bool read_traffic_file(const std::string& path, std::vector<TrafficEntry>& out, std::ostream& err) {
  std::ifstream in(path);
  if (!in) {
    err << path << ": cannot open\n";
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    TrafficEntry entry = parse_traffic_line(line);
    if (!entry.text.empty()) out.push_back(std::move(entry));
  }
  return true;
}

}  // namespace xiaoer::tools
