// Diagnostics: what went wrong, and where in which file.
//
// Loaders never throw past their boundary; they return a list of these so
// that one run of `xiaoerd check` reports every error at once.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xiaoer::common {

// A place in a source file. Line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line" or "file", as much as is known.
  std::string to_string() const;
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Diagnostic(SourceLocation where_in, std::string message_in, Severity severity_in = Severity::kError)
      : where(std::move(where_in)), message(std::move(message_in)), severity(severity_in) {}

  SourceLocation where;
  std::string message;
  Severity severity = Severity::kError;

  // "file:line:col: message" (warnings say "warning: " before the message).
  std::string to_string() const;
};

using Diagnostics = std::vector<Diagnostic>;

// True when `diagnostics` holds at least one error (warnings do not count).
bool has_errors(const Diagnostics& diagnostics);

// Every diagnostic's to_string(), one a line (no newline after the last).
std::string to_string(const Diagnostics& diagnostics);

}  // namespace xiaoer::common
