#include "daemon/traffic/traffic_sample.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/test_dir.hpp"

namespace xiaoer::traffic {
namespace {

namespace fs = std::filesystem;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A line answered now (a segment whose first line is an hour old is cut).
chat::TrafficLine line(const std::string& text, bool settled, std::int64_t ts = now_ms()) {
  return {text, ts, "chat-" + text, "taobao", settled ? std::vector<std::string>{"shipping.eta"} : std::vector<std::string>{},
          settled ? "reply" : "fallback", settled};
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::uintmax_t bytes_under(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& entry : fs::directory_iterator(dir)) total += entry.file_size();
  return total;
}

class TrafficSampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-sample-");
    options_.keep = SampleKeep::kUnsettled;
    options_.path = (dir_ / "traffic.jsonl").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<TrafficSample> open() {
    std::string error;
    auto sample = TrafficSample::open(options_, &error);
    EXPECT_TRUE(sample) << error;
    return sample;
  }

  fs::path dir_;
  TrafficSampleOptions options_;
};

TEST_F(TrafficSampleTest, KeepsTheUnsettledAndTheSettledShareInA0600File) {
  options_.settled_percent = 10;
  auto sample = open();
  ASSERT_TRUE(sample);
  const std::int64_t ts = now_ms();
  for (int i = 0; i < 5; ++i) sample->offer(line("unsettled " + std::to_string(i), false, ts));
  for (int i = 0; i < 100; ++i) sample->offer(line("settled " + std::to_string(i), true));
  sample->flush();
  const std::vector<std::string> lines = lines_of(options_.path);
  ASSERT_EQ(lines.size(), 15u);
  EXPECT_EQ(lines[0],
            "{\"ts\":" + std::to_string(ts) + ",\"chat\":\"" + chat::chat_hash("chat-unsettled 0") +
                "\",\"channel\":\"taobao\",\"intents\":[],\"decision\":\"fallback\",\"text\":\"unsettled 0\"}");
  EXPECT_EQ(lines[0].find("chat-unsettled"), std::string::npos);  // the chat id is hashed
  EXPECT_EQ(sample->lines_written(), 15u);
  struct stat st {};
  ASSERT_EQ(::stat(options_.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TrafficSampleTest, StaysWithinTheSizeCapAcrossItsSegments) {
  options_.max_bytes = 16 << 10;
  auto sample = open();
  ASSERT_TRUE(sample);
  for (int i = 0; i < 600; ++i) sample->offer(line("message number " + std::to_string(i), false));
  sample->flush();
  EXPECT_LE(bytes_under(dir_), static_cast<std::uintmax_t>(options_.max_bytes));
  EXPECT_GT(bytes_under(dir_), static_cast<std::uintmax_t>(options_.max_bytes) / 2);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.status().permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  }
  EXPECT_GT(files, 2u);
  // The newest line is kept; the oldest went with its segment.
  const std::vector<std::string> current = lines_of(options_.path);
  ASSERT_FALSE(current.empty());
  EXPECT_NE(current.back().find("message number 599"), std::string::npos);
}

TEST_F(TrafficSampleTest, DeletesWhatIsPastTheRetention) {
  fs::create_directories(dir_);
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  std::ofstream(dir_ / "traffic.jsonl.1000") << "{\"ts\":1000,\"text\":\"old\"}\n";
  std::ofstream(dir_ / "traffic.jsonl.2000") << "{\"ts\":2000,\"text\":\"recent\"}\n";
  std::ofstream(options_.path) << "{\"ts\":3000,\"text\":\"old too\"}\n";
  fs::last_write_time(dir_ / "traffic.jsonl.1000", old);
  fs::last_write_time(options_.path, old);
  options_.retention_days = 7;
  auto sample = open();
  ASSERT_TRUE(sample);
  EXPECT_FALSE(fs::exists(dir_ / "traffic.jsonl.1000"));
  EXPECT_TRUE(fs::exists(dir_ / "traffic.jsonl.2000"));
  sample->offer(line("new", false));
  sample->flush();
  const std::vector<std::string> current = lines_of(options_.path);
  ASSERT_EQ(current.size(), 1u);  // "old too" was deleted with its file's age
  EXPECT_NE(current[0].find("\"new\""), std::string::npos);
}

TEST_F(TrafficSampleTest, AFullQueueDropsAndCountsNeverWaits) {
  options_.queue_lines = 2;
  auto sample = open();
  ASSERT_TRUE(sample);
  for (int i = 0; i < 2000; ++i) sample->offer(line("burst " + std::to_string(i), false));
  sample->flush();
  EXPECT_EQ(sample->lines_written() + sample->lines_dropped(), 2000u);
  EXPECT_EQ(lines_of(options_.path).size(), sample->lines_written());
}

}  // namespace
}  // namespace xiaoer::traffic
