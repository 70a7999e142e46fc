#include "daemon/traffic/traffic_sample.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace xiaoer::traffic {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A segment is cut at this age even if small, so that deleting whole
// segments honours the retention to within this.
constexpr std::int64_t kSegmentMaxAgeMs = 3600 * 1000;
// The writer looks at the age of its files at least this often.
constexpr auto kUpkeepInterval = 60s;
// Segments within max_bytes: the one written is cut at this fraction.
constexpr std::int64_t kSegmentsInCap = 8;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t mtime_ms(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

// The cut segments of `path` (path.<digits>), oldest first.
std::vector<fs::path> segments_of(const fs::path& path) {
  std::vector<std::pair<std::int64_t, fs::path>> found;
  std::error_code ec;
  const std::string prefix = path.filename().string() + ".";
  for (fs::directory_iterator it(path.parent_path().empty() ? fs::path(".") : path.parent_path(), ec), end;
       !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        digits.size() > 18) {
      continue;
    }
    found.emplace_back(std::stoll(digits), it->path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [unused, p] : found) out.push_back(std::move(p));
  return out;
}

}  // namespace

std::optional<std::int64_t> first_line_ms(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const std::size_t at = line.find("\"ts\":");
  if (at == std::string::npos) return std::nullopt;
  char* end = nullptr;
  const long long ms = std::strtoll(line.c_str() + at + 5, &end, 10);
  if (end == line.c_str() + at + 5) return std::nullopt;
  return ms;
}

std::unique_ptr<TrafficSample> TrafficSample::open(const TrafficSampleOptions& options, std::string* error) {
  std::unique_ptr<TrafficSample> sample(new TrafficSample(options));
  const fs::path path(options.path);
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  if (ec) {
    *error = "sample.path " + options.path + ": cannot create its directory: " + ec.message();
    return nullptr;
  }
  if (!sample->open_segment(error)) return nullptr;
  if (sample->segment_size_ > 0) {
    sample->segment_start_ms_ = first_line_ms(path).value_or(mtime_ms(path));
  }
  sample->upkeep(/*force_cut=*/false);
  sample->writer_ = std::thread([s = sample.get()] { s->run(); });
  return sample;
}

TrafficSample::TrafficSample(TrafficSampleOptions options)
    : options_(std::move(options)), segment_bytes_(std::max<std::int64_t>(1, options_.max_bytes / kSegmentsInCap)) {}

TrafficSample::~TrafficSample() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

bool TrafficSample::open_segment(std::string* error) {
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    *error = "sample.path " + options_.path + ": " + std::strerror(errno);
    return false;
  }
  // A file left by an older run keeps buyer text too: never wider than 0600.
  ::fchmod(fd_, 0600);
  struct stat st {};
  segment_size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
  segment_start_ms_ = 0;
  return true;
}

void TrafficSample::offer(const chat::TrafficLine& line) {
  if (line.settled) {
    // Every (100 / percent)-th settled line, spread evenly.
    const std::uint64_t n = settled_seen_.fetch_add(1, std::memory_order_relaxed) + 1;
    const auto p = static_cast<std::uint64_t>(options_.settled_percent);
    if (n * p / 100 == (n - 1) * p / 100) return;
  }
  std::string bytes = chat::to_json_line(line);
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.queue_lines) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.emplace_back(line.ts_ms, std::move(bytes));
    ++queued_total_;
  }
  wake_.notify_one();
}

void TrafficSample::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_total_;
  idle_.wait(lock, [&] { return done_total_ >= target || stopping_; });
}

void TrafficSample::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, kUpkeepInterval, [&] { return !queue_.empty() || stopping_; });
    std::deque<std::pair<std::int64_t, std::string>> batch;
    batch.swap(queue_);
    const bool stop = stopping_;
    lock.unlock();
    for (const auto& [ts, bytes] : batch) write(ts, bytes);
    upkeep(/*force_cut=*/false);
    lock.lock();
    done_total_ += batch.size();
    idle_.notify_all();
    if (stop && queue_.empty()) return;
  }
}

void TrafficSample::write(std::int64_t ts_ms, const std::string& bytes) {
  if (segment_size_ > 0 && segment_size_ + static_cast<std::int64_t>(bytes.size()) > segment_bytes_) upkeep(true);
  if (fd_ < 0) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (errors_.fetch_add(1, std::memory_order_relaxed) == 0) {
        spdlog::warn("traffic sample {}: {} (lines are dropped while it lasts)", options_.path, std::strerror(errno));
      }
      return;
    }
    done += static_cast<std::size_t>(n);
  }
  if (segment_start_ms_ == 0) segment_start_ms_ = ts_ms;
  segment_size_ += static_cast<std::int64_t>(bytes.size());
  written_.fetch_add(1, std::memory_order_relaxed);
}

void TrafficSample::upkeep(bool force_cut) {
  const bool old = segment_start_ms_ != 0 && now_ms() - segment_start_ms_ >= kSegmentMaxAgeMs;
  if (segment_size_ > 0 && (force_cut || old || segment_size_ >= segment_bytes_)) cut();
  prune();
}

void TrafficSample::cut() {
  const std::int64_t start = segment_start_ms_ != 0 ? segment_start_ms_ : now_ms();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  fs::path target = options_.path + "." + std::to_string(start);
  std::error_code ec;
  // Two segments begun in the same millisecond: the later one a ms on.
  for (std::int64_t ms = start; fs::exists(target, ec); ++ms) target = options_.path + "." + std::to_string(ms + 1);
  fs::rename(options_.path, target, ec);
  if (ec) spdlog::warn("traffic sample: cannot cut {}: {}", options_.path, ec.message());
  std::string error;
  if (!open_segment(&error)) spdlog::warn("traffic sample: {}", error);
}

void TrafficSample::prune() {
  const std::int64_t oldest_kept_ms = now_ms() - static_cast<std::int64_t>(options_.retention_days) * 86400 * 1000;
  std::error_code ec;
  // The current segment, if all of it is past the retention (an idle
  // daemon), goes too.
  if (segment_size_ > 0 && mtime_ms(options_.path) < oldest_kept_ms) {
    if (fd_ >= 0 && ::ftruncate(fd_, 0) == 0) {
      segment_size_ = 0;
      segment_start_ms_ = 0;
    }
  }
  // Newest first: what fits in the cap beside a full current segment stays.
  const std::vector<fs::path> segments = segments_of(options_.path);
  std::int64_t total = std::max(segment_size_, segment_bytes_);
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    const auto size = static_cast<std::int64_t>(fs::file_size(*it, ec));
    if (ec) continue;
    if (total + size > options_.max_bytes || mtime_ms(*it) < oldest_kept_ms) {
      fs::remove(*it, ec);
      continue;
    }
    total += size;
  }
}

}  // namespace xiaoer::traffic
