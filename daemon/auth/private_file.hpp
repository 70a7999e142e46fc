// A file only the daemon's user reads (agent accounts, login sessions),
// replaced whole and atomically.
//
// Thread safety: a function; callers writing one path serialise.
#pragma once

#include <string>
#include <string_view>

namespace xiaoer::auth {

// Writes `text` to `path` atomically (a temporary file in the same
// directory, fsync, rename), mode 0600; false with `error` set on failure
// (the old file, if any, is left as it was).
bool write_private_file(const std::string& path, std::string_view text, std::string* error);

}  // namespace xiaoer::auth
