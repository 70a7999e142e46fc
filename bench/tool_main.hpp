// What the start of main() in the transport bench programs (bench/loadgen.cpp,
// bench/echo_server.cpp) shares: reading the command line (--help prints the
// usage) and raising the descriptor limit for thousands of connections.
// Header-only: each is one program.
#pragma once

#include <sys/resource.h>

#include <iostream>
#include <optional>
#include <string_view>

namespace xiaoer::bench {

// Parses argv into *options with `parse`, which sets *help on --help/-h and
// prints why it failed before returning false. Returns the exit status when
// main() stops here (2 on a bad command line; 0 once the usage is printed for
// --help), nullopt when it goes on.
template <typename Options>
std::optional<int> read_command_line(int argc, char** argv, bool (*parse)(int, char**, Options*, bool*),
                                     std::string_view usage, Options* options) {
  bool help = false;
  if (!parse(argc, argv, options, &help)) return 2;
  if (help) {
    std::cout << usage;
    return 0;
  }
  return std::nullopt;
}

// Raises the soft RLIMIT_NOFILE to the hard one. Returns the soft limit now,
// or 0 when it cannot be read.
inline rlim_t raise_nofile() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

}  // namespace xiaoer::bench
