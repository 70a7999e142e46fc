// Journal: the store's append-only log, written before anything is
// acknowledged and replayed at start-up.
//
// DESIGN
// Records are opaque strings (the queue writes one JSON object per record).
// On disk each record is one line: 8 lower-case hex digits of the CRC-32 of
// the payload, a space, the payload, '\n'. Payloads never contain '\n'.
//
// append() only enqueues; one writer thread takes everything queued, writes
// it with one write(2) and, under SyncPolicy::kAlways, one fdatasync(2)
// (group commit): under load many records share one sync. Each record's
// callback runs on the writer thread once the record is durable (ok=true)
// or could not be written (ok=false: disk full, I/O error); records are
// written in append order and callbacks run in that order.
//
// compact() rewrites the log as a snapshot without holding up the records
// queued after it. Compaction is queued like a record, so the snapshot
// stands for exactly the records before it. When the writer reaches it, a
// helper thread builds the snapshot, writes it to "<path>.compact" and syncs
// it, while the writer goes on appending to the old log and keeps a copy of
// what it wrote since (the tail). Then the writer appends the tail to the
// new file, syncs it and renames it over the log. A crash before the rename
// leaves the old log, complete; after it, the new one, complete.
//
// A compaction whose cut follows a failed record (since the previous one
// began) is dropped (done(false)): its snapshot was made as if that record
// were written. The next one, tried later, goes through.
//
// Replay reads every intact record in order; a line whose CRC or form is
// wrong (a torn write at the tail after a crash, a corrupted block) is
// skipped and counted, never fatal.
//
// Thread safety: append(), compact(), flush() and stats() may be called from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace xiaoer::store {

enum class SyncPolicy {
  kAlways,  // fdatasync before callbacks run (default)
  kBatch,   // callbacks run after write(2); fdatasync at most every batch_interval,
            // and at flush() and shutdown
  kNever,   // write(2) only; the OS syncs (fdatasync only at compaction and shutdown)
};

struct JournalOptions {
  std::string path;
  SyncPolicy sync = SyncPolicy::kAlways;
  std::chrono::milliseconds batch_interval{50};
  // Records queued before connections stop reading (the app's ReadGate).
  std::size_t max_backlog = 100000;
};

struct ReplayReport {
  std::size_t records = 0;        // intact records replayed
  std::size_t bad_lines = 0;      // skipped: wrong CRC, malformed, or torn
  std::size_t bytes = 0;          // size of the log read
  std::vector<std::string> problems;  // "line N: …", at most the first 20
};

struct JournalStats {
  std::uint64_t records_written = 0;
  std::uint64_t syncs = 0;
  std::uint64_t sync_failures = 0;    // fdatasync(2) of the log that failed
  std::uint64_t failures = 0;         // records whose callback got ok=false
  std::uint64_t bytes_since_compaction = 0;
  std::uint64_t snapshot_bytes = 0;    // the last compaction's snapshot: the live state's size
  std::uint64_t last_sync_micros = 0;  // duration of the latest fdatasync
};

class Journal {
 public:
  using Done = std::function<void(bool ok)>;

  // Opens (creating it and its directory if needed) the log at options.path,
  // calls `replay` with each intact record in order, fills `report` (as it
  // goes: while a record is replayed, report->bad_lines counts the bad lines
  // before it, so a record that follows damage can be told), and
  // starts the writer thread. Returns null with `error` set when the file
  // cannot be opened or created for writing.
  static std::unique_ptr<Journal> open(const JournalOptions& options,
                                       const std::function<void(std::string_view)>& replay, ReplayReport* report,
                                       std::string* error);

  // Flushes what is queued (including records appended by callbacks while
  // draining), syncs under every policy, and stops the writer.
  ~Journal();

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Queues `record` (must not contain '\n': such a record is not written
  // and its `done` gets ok=false); `done` may be empty. Callbacks run on the
  // writer thread, must not throw, and must not call flush().
  void append(std::string record, Done done);

  // Queues several records as one change: written in the same write(2),
  // they are on disk together or not at all; `done` runs once. A record
  // with '\n' rejects them all.
  void append_all(const std::vector<std::string>& records, Done done);

  // Makes a snapshot's records. It runs on a helper thread while records
  // are appended, so it must only read what it owns (a copy of the state).
  using Snapshot = std::function<std::vector<std::string>()>;

  // Queues a rewrite of the log as a snapshot (see DESIGN); `done` runs on
  // the writer thread once the new log is in place (ok=false: the old log is
  // kept). One rewrite at a time: a second waits for the first to end.
  void compact(Snapshot snapshot, Done done);

  // Blocks until everything queued before the call is written, synced
  // (except under SyncPolicy::kNever) and its callbacks have run, a
  // compaction included. Called from a callback (the writer thread) it
  // returns at once.
  void flush();

  JournalStats stats() const;

  // Observes every fdatasync's duration (for the metrics); set before use.
  void set_sync_observer(std::function<void(std::chrono::microseconds)> observer);

  // After a failed fdatasync of the log the kernel may have dropped pages
  // a later fdatasync would not bring back (PostgreSQL's lesson of 2018):
  // the log is failed until a compaction rewrites it from memory and syncs
  // it. Meanwhile every record is refused (done(false)) unwritten.
  bool failed() const { return failed_.load(std::memory_order_acquire); }

  // Tests: asked before each fdatasync of the log (not of a compaction's
  // new file); true makes it fail as with EIO (a slow one slows the
  // writer: a slow disk).
  void set_sync_fault(std::function<bool()> fail);

  // Entries queued and not yet written (and called back): what a slow disk
  // lets pile up in memory (issue 10, defect 6).
  std::size_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
  // Told the backlog after every batch, on the writer thread (just after
  // the batch counts as done for flush()); set before use.
  void set_backlog_observer(std::function<void(std::size_t backlog)> observer);

 private:
  struct Entry;
  struct Compaction;
  using Clock = std::chrono::steady_clock;

  explicit Journal(const JournalOptions& options, int fd);
  void enqueue(Entry entry);
  void run();
  // Writer thread only, outside mutex_ (except where noted).
  void process(std::deque<Entry>& batch);
  void write_segment(std::deque<Entry>& batch, std::size_t begin, std::size_t end);
  void start_compaction(Entry& entry);
  // Waits for the helper, then puts the new log in place (or drops it).
  void end_compaction();
  bool sync_file(int fd);
  void roll_back(std::uint64_t length);
  void finish(std::uint64_t seq);

  JournalOptions options_;

  // Owned by the writer thread (set by open() before it starts).
  int fd_ = -1;
  std::uint64_t size_ = 0;          // length of the log as written by us
  bool dirty_ = false;              // written since the last fdatasync
  bool torn_tail_ = false;          // a failed write could not be cut away
  bool dir_sync_pending_ = false;   // a compaction's rename is not yet synced
  bool failed_before_cut_ = false;  // a record failed since the last compaction began
  std::unique_ptr<Compaction> compaction_;  // the rewrite under way, if any
  Clock::time_point last_sync_{};

  // Guarded by mutex_.
  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the writer: work queued or stopping
  std::condition_variable drained_;  // flush(): completed_ moved
  std::deque<Entry> pending_;
  std::uint64_t enqueued_ = 0;   // sequence of the last queued entry
  std::uint64_t completed_ = 0;  // sequence of the last completed entry
  bool stopping_ = false;
  bool writer_waiting_ = false;  // the writer sleeps on wake_: notify it
  bool snapshot_written_ = false;  // the compaction's helper has finished
  JournalStats stats_;
  std::function<void(std::chrono::microseconds)> sync_observer_;
  std::function<bool()> sync_fault_;
  std::atomic<bool> failed_{false};  // a sync failed: refusing records until rewritten
  std::function<void(std::size_t)> backlog_observer_;
  std::atomic<std::size_t> backlog_{0};  // enqueued_ - completed_, readable without the lock

  std::thread writer_;
};

// CRC-32 (IEEE 802.3, as zlib's crc32) of `data`.
std::uint32_t crc32(std::string_view data);

}  // namespace xiaoer::store
