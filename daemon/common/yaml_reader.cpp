#include "daemon/common/yaml_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace xiaoer::common {

YamlReader::YamlReader(std::string file, Diagnostics& diagnostics)
    : file_(std::move(file)), diagnostics_(diagnostics) {}

std::optional<YAML::Node> YamlReader::parse(std::string_view text) {
  text_ = std::string(text);
  line_starts_ = {0};
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
  try {
    return YAML::Load(text_);
  } catch (const YAML::Exception& e) {
    diagnostics_.push_back({place(e.mark.line, e.mark.column), e.msg, Severity::kError});
    return std::nullopt;
  }
}

SourceLocation YamlReader::place(int line, int byte_column) const {
  if (line < 0 || byte_column < 0) return {file_, 0, 0};
  int column = byte_column;
  if (static_cast<std::size_t>(line) < line_starts_.size()) {
    const std::size_t start = line_starts_[line];
    const std::size_t end = std::min(text_.size(), start + static_cast<std::size_t>(byte_column));
    column = 0;
    for (std::size_t i = start; i < end; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // not a continuation byte
    }
  }
  return {file_, line + 1, column + 1};
}

SourceLocation YamlReader::at(const YAML::Node& node) const {
  if (!node) return {file_, 0, 0};
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file_, 0, 0};
  return place(mark.line, mark.column);
}

void YamlReader::error(const YAML::Node& node, std::string message) {
  diagnostics_.push_back({at(node), std::move(message), Severity::kError});
}

void YamlReader::warning(const YAML::Node& node, std::string message) {
  diagnostics_.push_back({at(node), std::move(message), Severity::kWarning});
}

bool YamlReader::check_map(const YAML::Node& node, std::string_view what,
                           std::initializer_list<std::string_view> allowed) {
  return check_map(node, what, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

bool YamlReader::check_map(const YAML::Node& node, std::string_view what, std::span<const std::string_view> allowed) {
  if (!node.IsMap()) {
    error(node, std::string(what) + " must be a map");
    return false;
  }
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (std::string_view k : allowed) known += (known.empty() ? "" : ", ") + std::string(k);
      error(entry.first, "unknown field '" + key + "' in " + std::string(what) + " (known: " +
                             known + ")");
    }
  }
  return true;
}

bool YamlReader::read_string(const YAML::Node& node, std::string_view what, std::string* out) {
  if (!node.IsScalar()) {
    error(node, std::string(what) + " must be a string");
    return false;
  }
  *out = node.Scalar();
  return true;
}

bool YamlReader::read_int(const YAML::Node& node, std::string_view what, long long min,
                          long long max, long long* out) {
  long long value = 0;
  if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value)) {
    error(node, std::string(what) + " must be a whole number");
    return false;
  }
  if (value < min || value > max) {
    error(node, std::string(what) + " must be from " + std::to_string(min) + " to " +
                    std::to_string(max) + ", not " + std::to_string(value));
    return false;
  }
  *out = value;
  return true;
}

bool YamlReader::read_int(const YAML::Node& node, std::string_view what, int min, int max,
                          int* out) {
  long long value = 0;
  if (!read_int(node, what, static_cast<long long>(min), static_cast<long long>(max), &value)) {
    return false;
  }
  *out = static_cast<int>(value);
  return true;
}

bool YamlReader::read_int_range(const YAML::Node& node, std::string_view what, int min, int max, int* lo,
                                int* hi) {
  if (!node || !node.IsSequence() || node.size() != 2) {
    error(node, std::string(what) + " must be [min, max]");
    return false;
  }
  int first = 0, second = 0;
  if (!read_int(node[0], what, min, max, &first) || !read_int(node[1], what, min, max, &second)) return false;
  if (first > second) {
    error(node, std::string(what) + " has min over max");
    return false;
  }
  *lo = first;
  *hi = second;
  return true;
}

void YamlReader::read_facts(const YAML::Node& node, std::map<std::string, std::string, std::less<>>& values,
                            std::map<std::string, SourceLocation, std::less<>>& places) {
  if (!node.IsMap()) {
    error(node, "facts must be a map of key → text");
    return;
  }
  for (const auto& entry : node) {
    std::string value;
    if (!read_string(entry.second, "fact '" + entry.first.Scalar() + "'", &value)) continue;
    values[entry.first.Scalar()] = value;
    places[entry.first.Scalar()] = at(entry.second);
  }
}

bool YamlReader::read_bool(const YAML::Node& node, std::string_view what, bool* out) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    error(node, std::string(what) + " must be true or false");
    return false;
  }
  *out = value;
  return true;
}

std::vector<YamlReader::Located> YamlReader::read_string_list(const YAML::Node& node,
                                                              std::string_view what) {
  std::vector<Located> out;
  if (!node) return out;  // absent: operator bool is the only safe test
  if (node.IsScalar()) {
    out.push_back({node.Scalar(), at(node), text_column(node)});
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      std::string text;
      if (read_string(item, std::string(what) + " item", &text)) out.push_back({text, at(item), text_column(item)});
    }
  } else if (!node.IsNull()) {
    error(node, std::string(what) + " must be a string or a list of strings");
  }
  return out;
}

int YamlReader::text_column(const YAML::Node& node) const {
  const SourceLocation where = at(node);
  // yaml-cpp tags a quoted scalar "!" and a plain one "?".
  return where.column == 0 ? 0 : where.column + (node.Tag() == "!" ? 1 : 0);
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return !in.bad();
}

}  // namespace xiaoer::common
