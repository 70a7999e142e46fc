// Traffic files, as `gaps` and `diff` read them: a message a line, either
// plain text or a JSON object with "text" (the daemon's traffic sample, a
// labelled eval file) and, if it has one, the "channel" it came from.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace xiaoer::tools {

struct TrafficEntry {
  std::string text;
  std::string channel;  // "" when the line does not say
};

// The message of one line; nullopt-like empty text for a blank line or a JSON
// object without "text" (a line that is not a JSON object is plain text).
TrafficEntry parse_traffic_line(const std::string& line);

// Appends the messages of `path` to `out`; false (and why, on `err`) when it
// cannot be read.
bool read_traffic_file(const std::string& path, std::vector<TrafficEntry>& out, std::ostream& err);

}  // namespace xiaoer::tools
