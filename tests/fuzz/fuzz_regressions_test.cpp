// Fuzz regressions: every input a fuzzer crashed on, kept under
// tests/fuzz_regressions/<target>/, and every seed of fuzz/corpus/<target>/,
// run through that target's own body (fuzz/fuzz_targets.hpp) in the ordinary
// build, so that `make test` replays them without clang or libFuzzer.
// docs/testing.md says how a crasher gets here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.hpp"

namespace xiaoer::fuzz {

// For GoogleTest's messages: a target by its name.
void PrintTo(const Target& target, std::ostream* os) { *os << target.name; }

namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of `dir` in name order (none when it does not exist).
std::vector<fs::path> files_of(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzRegressions : public ::testing::TestWithParam<Target> {
 protected:
  // Runs every file of `dir` through the target; returns how many ran.
  std::size_t run_dir(const fs::path& dir) {
    std::size_t ran = 0;
    for (const fs::path& file : files_of(dir)) {
      EXPECT_EQ(GetParam().run(read_bytes(file)), "") << file.string();
      ++ran;
    }
    return ran;
  }
};

// A target without kept crashers is skipped, not passed (issue 10, defect
// 8: it passed having run nothing); a directory kept empty fails.
TEST_P(FuzzRegressions, KeptCrashersRunClean) {
  const fs::path dir = source_dir() / "tests" / "fuzz_regressions" / std::string(GetParam().name);
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no crasher kept for " << GetParam().name;
  EXPECT_GT(run_dir(dir), 0u) << dir.string() << " holds no input";
}

TEST_P(FuzzRegressions, SeedsRunClean) {
  EXPECT_GT(run_dir(source_dir() / "fuzz" / "corpus" / std::string(GetParam().name)), 0u)
      << "fuzz/corpus/" << GetParam().name << " has no seed";
}

TEST_P(FuzzRegressions, EmptyInputRunsClean) { EXPECT_EQ(GetParam().run(""), ""); }

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressions, ::testing::ValuesIn(kTargets),
                         [](const ::testing::TestParamInfo<Target>& info) { return std::string(info.param.name); });

// Every directory under tests/fuzz_regressions/ names a target (a typo would
// silently skip its crashers), and every target has its fuzz/<name>.cpp.
TEST(FuzzRegressionsLayout, DirectoriesNameTargets) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(source_dir() / "tests" / "fuzz_regressions", ec)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(std::any_of(kTargets.begin(), kTargets.end(), [&](const Target& t) { return t.name == name; }))
        << "tests/fuzz_regressions/" << name << " names no fuzz target";
  }
  for (const Target& t : kTargets) {
    std::string file(t.name);
    file += ".cpp";
    EXPECT_TRUE(fs::exists(source_dir() / "fuzz" / file)) << file;
  }
}

}  // namespace
}  // namespace xiaoer::fuzz
