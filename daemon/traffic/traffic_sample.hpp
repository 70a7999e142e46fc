// TrafficSample: what buyers wrote that the bot did not settle, kept on disk
// for the lead (`xiaoerd gaps`, `eval`, `diff` read it), and optionally a
// share of everything else.
//
// DESIGN
// Buyer text is personal data: the sample is off by default and then no
// file is opened or written; when on, its files are mode 0600, cut into
// segments, and deleted by size (the newest kept within max_bytes all
// together) and by age (a segment whose last line is older than the
// retention is deleted whole; segments are cut at least hourly, so a line
// outlives the retention by an hour at most).
//
// Files: `path` is the segment being written; a cut renames it to
// `path.<ms>`, ms being the time of its first line, so segments sort by age.
//
// offer() runs on I/O and store threads and never waits on the disk: it
// queues the line for the writer thread (like the journal's), and when the
// queue is full it drops the line and counts it.
//
// Thread safety: offer() and the counters may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "daemon/chat/traffic_line.hpp"

namespace xiaoer::traffic {

enum class SampleKeep {
  kOff,        // nothing is written (the default)
  kUnsettled,  // fallbacks, clarifying questions, handoffs for `unresolved`
};

struct TrafficSampleOptions {
  SampleKeep keep = SampleKeep::kOff;
  int settled_percent = 0;  // of the settled messages, this share is kept too (0 to 100)
  std::string path = "state/traffic.jsonl";
  std::int64_t max_bytes = 64ll << 20;  // every segment together
  int retention_days = 14;
  std::size_t queue_lines = 4096;  // lines waiting for the writer; past it they are dropped
};

class TrafficSample {
 public:
  // Opens (or continues) the sample; null with `error` set when its
  // directory or file cannot be made. Call only when options.keep is on.
  static std::unique_ptr<TrafficSample> open(const TrafficSampleOptions& options, std::string* error);

  // Writes what is queued, then stops the writer.
  ~TrafficSample();
  TrafficSample(const TrafficSample&) = delete;
  TrafficSample& operator=(const TrafficSample&) = delete;

  // Keeps `line` if it is unsettled or falls in the settled share. Never
  // blocks on I/O.
  void offer(const chat::TrafficLine& line);

  // Waits until everything offered so far is written (tests, shutdown).
  void flush();

  std::uint64_t lines_written() const { return written_.load(std::memory_order_relaxed); }
  std::uint64_t lines_dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t write_errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  explicit TrafficSample(TrafficSampleOptions options);

  bool open_segment(std::string* error);
  void run();
  void write(std::int64_t ts_ms, const std::string& bytes);
  // Cuts the segment when it is big or old enough; deletes what is past the
  // size or the age. On the writer thread.
  void upkeep(bool force_cut);
  void cut();
  void prune();

  const TrafficSampleOptions options_;
  const std::int64_t segment_bytes_;
  int fd_ = -1;
  std::int64_t segment_size_ = 0;
  std::int64_t segment_start_ms_ = 0;  // 0: the segment is empty

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::pair<std::int64_t, std::string>> queue_;  // (ts_ms, line)
  std::uint64_t queued_total_ = 0;  // under mutex_
  std::uint64_t done_total_ = 0;    // under mutex_
  bool stopping_ = false;

  std::atomic<std::uint64_t> settled_seen_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::thread writer_;
};

// The time of the first line of a sample file (its "ts"), or nullopt.
std::optional<std::int64_t> first_line_ms(const std::filesystem::path& file);

}  // namespace xiaoer::traffic
