// A directory of the running test's own under the system's temporary
// directory: named after the process and the test (so parallel ctest runs
// never share one), and empty (anything an earlier run left is removed).
// The caller creates what it needs in it and removes it afterwards.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>

namespace xiaoer::testing {

inline std::filesystem::path fresh_test_dir(std::string_view prefix) {
  // A parameterised test's name ends in "/0", "/1": one directory, not a
  // parent the caller's remove_all would leave behind.
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::replace(name.begin(), name.end(), '/', '-');
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / (std::string(prefix) + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace xiaoer::testing
