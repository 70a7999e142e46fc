// YamlReader: typed reads from a yaml-cpp tree that report file:line:col.
//
// The loaders of intent files, shop facts and the daemon config all read
// YAML the same strict way: an unknown field, a wrong type or a value out of
// range is a diagnostic at the node's place, and reading goes on so that one
// run reports every error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/diagnostic.hpp"

namespace xiaoer::common {

class YamlReader {
 public:
  // Keeps a reference to `diagnostics`, which must outlive the reader.
  YamlReader(std::string file, Diagnostics& diagnostics);

  // Parses `text` (the contents of the reader's file). On a syntax error,
  // reports it and returns nullopt.
  std::optional<YAML::Node> parse(std::string_view text);

  const std::string& file() const { return file_; }

  // The 1-based place of `node` in the file; the column counts characters,
  // not bytes, as an editor does.
  SourceLocation at(const YAML::Node& node) const;

  // The column of a scalar's first character: one past the quote of a
  // quoted scalar; 0 if unknown. Errors inside a pattern are placed with it.
  int text_column(const YAML::Node& node) const;

  void error(const YAML::Node& node, std::string message);
  void warning(const YAML::Node& node, std::string message);

  // Reports (and returns false) unless `node` is a map; then reports every
  // key not in `allowed` as an unknown field of `what`.
  bool check_map(const YAML::Node& node, std::string_view what,
                 std::initializer_list<std::string_view> allowed);
  bool check_map(const YAML::Node& node, std::string_view what, std::span<const std::string_view> allowed);

  // Each read reports a wrong type or range at `node` and returns false,
  // leaving `*out` unchanged.
  bool read_string(const YAML::Node& node, std::string_view what, std::string* out);
  bool read_int(const YAML::Node& node, std::string_view what, long long min, long long max,
                long long* out);
  bool read_int(const YAML::Node& node, std::string_view what, int min, int max, int* out);
  // [lo, hi], both in [min, max], lo not over hi.
  bool read_int_range(const YAML::Node& node, std::string_view what, int min, int max, int* lo, int* hi);
  // A map of key → text (the shop's and each item's `facts`): each value
  // into `values` and where it was written into `places`.
  void read_facts(const YAML::Node& node, std::map<std::string, std::string, std::less<>>& values,
                  std::map<std::string, SourceLocation, std::less<>>& places);
  bool read_bool(const YAML::Node& node, std::string_view what, bool* out);

  // A scalar or a list of scalars, with each string's place.
  struct Located {
    std::string text;
    SourceLocation where;
    int text_column = 0;  // see text_column()
  };
  std::vector<Located> read_string_list(const YAML::Node& node, std::string_view what);

 private:
  // yaml-cpp counts columns in bytes: convert with the parsed text.
  SourceLocation place(int line, int byte_column) const;

  std::string file_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
  Diagnostics& diagnostics_;
};

// Reads a whole file into `out`; false if it cannot be read.
bool read_file(const std::string& path, std::string* out);

}  // namespace xiaoer::common
