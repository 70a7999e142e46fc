#include "daemon/store/journal/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <system_error>
#include <utility>

// How it works: callers format their line (CRC, space, payload, '\n') on
// their own thread and push an Entry under mutex_. The writer swaps the whole
// queue out, then walks it in order: consecutive records (and flush markers)
// form a segment written with one write(2) and, when the policy asks, one
// fdatasync(2); a compaction entry starts the rewrite's helper between
// segments, and the rewrite ends in the writer's loop once the helper is done.
// Callbacks run after their segment, outside mutex_, then completed_ moves so
// that flush() can return. Only the writer touches fd_ and the file state
// beside it, so the file needs no lock.

namespace xiaoer::store {
namespace {

// CRC-32 by "slicing by 8": eight tables let the loop take 8 bytes a step,
// about four times the speed of the byte-wise loop (every record is summed).
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::uint32_t i = 0; i < 256; ++i) {
    for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
  }
  return t;
}

constexpr CrcTables kCrc = make_crc_tables();

constexpr std::uint32_t crc32_of(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + k])); };
  for (; i + 8 <= data.size(); i += 8) {
    const std::uint32_t lo = crc ^ (byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24);
    crc = kCrc[7][lo & 0xFF] ^ kCrc[6][(lo >> 8) & 0xFF] ^ kCrc[5][(lo >> 16) & 0xFF] ^ kCrc[4][lo >> 24] ^
          kCrc[3][byte(4)] ^ kCrc[2][byte(5)] ^ kCrc[1][byte(6)] ^ kCrc[0][byte(7)];
  }
  for (; i < data.size(); ++i) crc = kCrc[0][(crc ^ byte(0)) & 0xFFu] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

static_assert(kCrc[0][1] == 0x77073096u);
static_assert(crc32_of("123456789") == 0xCBF43926u);
static_assert(crc32_of("The quick brown fox jumps over the lazy dog") == 0x414FA339u);

constexpr std::size_t kPrefixSize = 9;  // 8 hex digits and a space
constexpr std::size_t kMaxProblems = 20;
constexpr char kHexDigits[] = "0123456789abcdef";

std::string errno_message(int error) { return std::system_category().message(error); }

void append_line(std::string& out, std::string_view payload) {
  const std::uint32_t crc = crc32_of(payload);
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHexDigits[(crc >> shift) & 0xFu]);
  out.push_back(' ');
  out.append(payload);
  out.push_back('\n');
}

// `records` as log lines in `out`; false (and `out` empty) if one holds
// '\n', which no line may.
bool format_lines(const std::vector<std::string>& records, std::string& out) {
  std::size_t size = 0;
  for (const std::string& record : records) {
    if (record.find('\n') != std::string::npos) return false;
    size += kPrefixSize + record.size() + 1;
  }
  out.reserve(size);
  for (const std::string& record : records) append_line(out, record);
  return true;
}

// Lower-case only: the writer never produces anything else.
bool parse_hex8(std::string_view text, std::uint32_t* value) {
  std::uint32_t v = 0;
  for (const char ch : text) {
    std::uint32_t digit;
    if (ch >= '0' && ch <= '9') {
      digit = static_cast<std::uint32_t>(ch - '0');
    } else if (ch >= 'a' && ch <= 'f') {
      digit = static_cast<std::uint32_t>(ch - 'a' + 10);
    } else {
      return false;
    }
    v = (v << 4) | digit;
  }
  *value = v;
  return true;
}

// Returns 0 or the errno of the failed write(2); retries short writes and EINTR.
int write_all(int fd, std::string_view data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return 0;
}

// Returns 0 or an errno; reads from offset 0 whatever the file offset is.
int read_all(int fd, std::string* out) {
  out->clear();
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out->reserve(static_cast<std::size_t>(st.st_size));
  char chunk[1 << 16];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, chunk, sizeof chunk, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return 0;
    out->append(chunk, static_cast<std::size_t>(n));
    offset += n;
  }
}

int datasync(int fd) {
  int rc;
  do {
    rc = ::fdatasync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc == 0 ? 0 : errno;
}

// Formats `records` as log lines, writes and syncs them to `fd`; *bytes is
// the size written. False if a record holds '\n' or the disk refused.
bool write_snapshot(int fd, const std::vector<std::string>& records, std::uint64_t* bytes) {
  std::string buffer;
  if (!format_lines(records, buffer)) return false;
  *bytes = buffer.size();
  return write_all(fd, buffer) == 0 && datasync(fd) == 0;
}

std::filesystem::path directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::filesystem::path(".") : dir;
}

// A rename is durable only once its directory is synced.
bool sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  ::close(fd);
  return rc == 0;
}

}  // namespace

std::uint32_t crc32(std::string_view data) { return crc32_of(data); }

struct Journal::Entry {
  enum class Kind {
    kRecord,    // `line` is the formatted record
    kRejected,  // the record contained '\n': not written, done(false)
    kCompact,   // rewrite the log as `snapshot`
    kFlush,     // a flush() marker: sync what precedes it
  };
  Kind kind = Kind::kRecord;
  std::uint64_t seq = 0;
  std::string line;
  Snapshot snapshot;
  Done done;
};

struct Journal::Compaction {
  int fd = -1;        // "<path>.compact", opened for appending
  std::string tail;   // lines written to the old log since the snapshot's cut
  Done done;
  std::thread helper;
  // Written by the helper before it sets snapshot_written_.
  bool snapshot_ok = false;
  std::uint64_t snapshot_bytes = 0;
};

Journal::Journal(const JournalOptions& options, int fd) : options_(options), fd_(fd) {}

std::unique_ptr<Journal> Journal::open(const JournalOptions& options,
                                       const std::function<void(std::string_view)>& replay, ReplayReport* report,
                                       std::string* error) {
  ReplayReport ignored;
  ReplayReport& out = report != nullptr ? *report : ignored;
  out = ReplayReport{};
  const auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = "cannot open journal " + options.path + ": " + why;
    return std::unique_ptr<Journal>();
  };
  if (options.path.empty()) return fail("no path given");

  const std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return fail("cannot create directory " + parent.string() + ": " + ec.message());
  }
  const int fd = ::open(options.path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return fail(errno_message(errno));
  // From here the journal owns fd (closed by the destructor, even if replay throws).
  std::unique_ptr<Journal> journal(new Journal(options, fd));

  std::string content;
  if (const int err = read_all(fd, &content); err != 0) return fail("read: " + errno_message(err));
  out.bytes = content.size();

  const auto problem = [&out](std::size_t line_number, const char* what) {
    ++out.bad_lines;
    if (out.problems.size() < kMaxProblems) {
      std::string text = "line ";
      text += std::to_string(line_number);
      text += ": ";
      text += what;
      out.problems.push_back(std::move(text));
    }
  };
  std::size_t keep = content.size();  // where a torn tail starts
  std::size_t pos = 0;
  std::size_t line_number = 0;
  while (pos < content.size()) {
    ++line_number;
    const std::size_t newline = content.find('\n', pos);
    if (newline == std::string::npos) {
      // A write cut short by a crash: its record was never acknowledged.
      problem(line_number, "torn write (no newline at the end of the log)");
      keep = pos;
      break;
    }
    const std::string_view line(content.data() + pos, newline - pos);
    pos = newline + 1;
    std::uint32_t stored = 0;
    if (line.size() < kPrefixSize || line[8] != ' ' || !parse_hex8(line.substr(0, 8), &stored)) {
      problem(line_number, "malformed");
      continue;
    }
    const std::string_view payload = line.substr(kPrefixSize);
    if (crc32_of(payload) != stored) {
      problem(line_number, "bad checksum");
      continue;
    }
    ++out.records;
    if (replay) replay(payload);
  }

  journal->size_ = content.size();
  if (keep < content.size()) {
    if (::ftruncate(fd, static_cast<off_t>(keep)) == 0) {
      journal->size_ = keep;
    } else {
      journal->torn_tail_ = true;  // the next write starts with '\n' to end the torn line
    }
  }
  journal->stats_.bytes_since_compaction = journal->size_;
  journal->last_sync_ = Clock::now();
  journal->writer_ = std::thread(&Journal::run, journal.get());
  return journal;
}

Journal::~Journal() {
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(std::string record, Done done) {
  Entry entry;
  entry.done = std::move(done);
  if (record.find('\n') != std::string::npos) {
    entry.kind = Entry::Kind::kRejected;
  } else {
    entry.line.reserve(kPrefixSize + record.size() + 1);
    append_line(entry.line, record);
  }
  enqueue(std::move(entry));
}

void Journal::append_all(const std::vector<std::string>& records, Done done) {
  Entry entry;
  entry.done = std::move(done);
  if (!format_lines(records, entry.line)) entry.kind = Entry::Kind::kRejected;
  enqueue(std::move(entry));
}

void Journal::compact(Snapshot snapshot, Done done) {
  Entry entry;
  entry.kind = Entry::Kind::kCompact;
  entry.snapshot = std::move(snapshot);
  entry.done = std::move(done);
  enqueue(std::move(entry));
}

void Journal::enqueue(Entry entry) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    entry.seq = ++enqueued_;
    backlog_.store(enqueued_ - completed_, std::memory_order_relaxed);
    pending_.push_back(std::move(entry));
    // A busy writer looks at pending_ again before it waits: waking it
    // costs a futex call per record under load, for nothing.
    wake = writer_waiting_;
  }
  if (wake) wake_.notify_one();
}

void Journal::flush() {
  // A callback waiting for its own writer would never return.
  if (std::this_thread::get_id() == writer_.get_id()) return;
  Entry marker;
  marker.kind = Entry::Kind::kFlush;
  std::unique_lock lock(mutex_);
  marker.seq = ++enqueued_;
  const std::uint64_t seq = marker.seq;
  pending_.push_back(std::move(marker));
  wake_.notify_one();
  drained_.wait(lock, [&] { return completed_ >= seq; });
}

JournalStats Journal::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Journal::set_sync_fault(std::function<bool()> fail) {
  std::lock_guard lock(mutex_);
  sync_fault_ = std::move(fail);
}

void Journal::set_sync_observer(std::function<void(std::chrono::microseconds)> observer) {
  std::lock_guard lock(mutex_);
  sync_observer_ = std::move(observer);
}

void Journal::run() {
  std::unique_lock lock(mutex_);
  const auto ready = [this] { return stopping_ || !pending_.empty() || snapshot_written_; };
  for (;;) {
    if (snapshot_written_ || (stopping_ && pending_.empty() && compaction_)) {
      lock.unlock();
      end_compaction();
      lock.lock();
      continue;
    }
    if (pending_.empty()) {
      if (stopping_) break;
      writer_waiting_ = true;
      if (dirty_ && options_.sync == SyncPolicy::kBatch) {
        // Quiet after a write: sync once the interval is up.
        const bool woken = wake_.wait_until(lock, last_sync_ + options_.batch_interval, ready);
        writer_waiting_ = false;
        if (!woken) {
          lock.unlock();
          sync_file(fd_);  // a failure here has no callback left to tell
          lock.lock();
        }
      } else {
        wake_.wait(lock, ready);
        writer_waiting_ = false;
      }
      continue;
    }
    std::deque<Entry> batch;
    batch.swap(pending_);
    lock.unlock();
    process(batch);
    batch.clear();  // free the records outside the lock
    lock.lock();
  }
  lock.unlock();
  if (dirty_) sync_file(fd_);  // shutdown syncs under every policy
}

void Journal::process(std::deque<Entry>& batch) {
  std::size_t begin = 0;
  while (begin < batch.size()) {
    if (batch[begin].kind == Entry::Kind::kCompact) {
      start_compaction(batch[begin]);
      finish(batch[begin].seq);
      ++begin;
      continue;
    }
    std::size_t end = begin;
    while (end < batch.size() && batch[end].kind != Entry::Kind::kCompact) ++end;
    write_segment(batch, begin, end);
    begin = end;
  }
}

void Journal::write_segment(std::deque<Entry>& batch, std::size_t begin, std::size_t end) {
  std::size_t records = 0;
  std::size_t rejected = 0;
  std::size_t bytes = 0;
  bool flush_requested = false;
  for (std::size_t i = begin; i < end; ++i) {
    switch (batch[i].kind) {
      case Entry::Kind::kRecord:
        ++records;
        bytes += batch[i].line.size();
        break;
      case Entry::Kind::kRejected:
        ++rejected;
        break;
      case Entry::Kind::kFlush:
        flush_requested = true;
        break;
      case Entry::Kind::kCompact:
        break;
    }
  }

  std::string buffer;
  const bool torn_line_ended = records > 0 && torn_tail_;
  if (records > 0) {
    const bool end_torn_line = torn_line_ended;
    buffer.reserve(bytes + (end_torn_line ? 1 : 0));
    if (end_torn_line) buffer.push_back('\n');
    for (std::size_t i = begin; i < end; ++i) {
      if (batch[i].kind == Entry::Kind::kRecord) buffer += batch[i].line;
    }
  }

  const std::uint64_t before = size_;
  bool ok = true;
  if (failed() && !buffer.empty()) {
    ok = false;  // refused unwritten until the log is rewritten (failed())
    buffer.clear();
  }
  if (!buffer.empty()) {
    if (write_all(fd_, buffer) != 0) {
      ok = false;  // ENOSPC, EIO, EFBIG: maybe a torn record on disk
      roll_back(before);
    } else {
      size_ += buffer.size();
      dirty_ = true;
    }
  }
  // Even when this write failed, a flush() still syncs what was written before.
  if (dirty_) {
    bool sync = false;
    switch (options_.sync) {
      case SyncPolicy::kAlways:
        sync = true;
        break;
      case SyncPolicy::kBatch:
        sync = flush_requested || Clock::now() - last_sync_ >= options_.batch_interval;
        break;
      case SyncPolicy::kNever:
        break;
    }
    // Under kAlways a failed sync fails the records: they may not be on disk,
    // and cutting them off keeps a later replay from bringing them back.
    if (sync && !sync_file(fd_) && ok && options_.sync == SyncPolicy::kAlways && records > 0) {
      ok = false;
      roll_back(before);
    }
  }
  if (ok && !buffer.empty()) torn_tail_ = false;
  if ((!ok && records > 0) || rejected > 0) failed_before_cut_ = true;

  {
    std::lock_guard lock(mutex_);
    if (ok) {
      stats_.records_written += records;
      stats_.bytes_since_compaction += buffer.size();
    } else {
      stats_.failures += records;
    }
    stats_.failures += rejected;
  }
  // The '\n' that ended a torn line belongs to the old log only.
  if (ok && compaction_ && !buffer.empty()) compaction_->tail.append(buffer, torn_line_ended ? 1 : 0);
  for (std::size_t i = begin; i < end; ++i) {
    Entry& entry = batch[i];
    if (!entry.done) continue;
    if (entry.kind == Entry::Kind::kRecord) entry.done(ok);
    if (entry.kind == Entry::Kind::kRejected) entry.done(false);
  }
  // flush() promises a compaction queued before it has ended too.
  if (flush_requested && compaction_) end_compaction();
  finish(batch[end - 1].seq);
}

void Journal::roll_back(std::uint64_t length) {
  if (::ftruncate(fd_, static_cast<off_t>(length)) == 0) {
    size_ = length;
    return;
  }
  // The torn bytes stay: end them with '\n' before the next record so that
  // they cost one bad line at replay, not the next record too.
  torn_tail_ = true;
  struct stat st {};
  if (::fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
}

void Journal::start_compaction(Entry& entry) {
  if (compaction_) end_compaction();
  // The snapshot was made as if every record before the cut were written:
  // after a failed one it would bring back what was refused.
  if (std::exchange(failed_before_cut_, false)) {
    if (entry.done) entry.done(false);
    return;
  }
  const std::string temp = options_.path + ".compact";
  // Opened for appending: after the rename this fd is the log's, so there is
  // no reopen that could fail once the old log is gone.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (entry.done) entry.done(false);
    return;
  }
  compaction_ = std::make_unique<Compaction>();
  compaction_->fd = fd;
  compaction_->done = std::move(entry.done);
  compaction_->helper = std::thread([this, c = compaction_.get(), snapshot = std::move(entry.snapshot)] {
    try {
      c->snapshot_ok = snapshot && write_snapshot(c->fd, snapshot(), &c->snapshot_bytes);
    } catch (const std::exception&) {
      c->snapshot_ok = false;  // out of memory: the old log stays
    }
    {
      std::lock_guard lock(mutex_);
      snapshot_written_ = true;
    }
    wake_.notify_one();
  });
}

void Journal::end_compaction() {
  std::unique_ptr<Compaction> c = std::move(compaction_);
  c->helper.join();
  {
    std::lock_guard lock(mutex_);
    snapshot_written_ = false;
  }
  const std::string temp = options_.path + ".compact";
  const bool ok = c->snapshot_ok && write_all(c->fd, c->tail) == 0 && datasync(c->fd) == 0 &&
                  ::rename(temp.c_str(), options_.path.c_str()) == 0;
  if (ok) {
    ::close(fd_);
    fd_ = c->fd;
    size_ = c->snapshot_bytes + c->tail.size();
    dirty_ = false;
    torn_tail_ = false;
    // Until the directory is synced a crash may bring the old log back, so a
    // failure here is retried before the next sync of the log counts.
    dir_sync_pending_ = !sync_directory(directory_of(options_.path));
    // Rewritten from memory and synced: what a failed sync may have lost is
    // in the new log (with the directory synced too).
    if (!dir_sync_pending_) failed_.store(false, std::memory_order_release);
    std::lock_guard lock(mutex_);
    stats_.bytes_since_compaction = c->tail.size();
    stats_.snapshot_bytes = c->snapshot_bytes;
  } else {
    ::close(c->fd);
    ::unlink(temp.c_str());
  }
  if (c->done) c->done(ok);
}

bool Journal::sync_file(int fd) {
  std::function<bool()> fault;
  if (fd == fd_) {
    std::lock_guard lock(mutex_);
    fault = sync_fault_;
  }
  const bool inject_failure = fault && fault();
  const Clock::time_point start = Clock::now();
  bool ok = !inject_failure && datasync(fd) == 0;
  if (fd == fd_) {
    if (ok && dir_sync_pending_) {
      dir_sync_pending_ = !sync_directory(directory_of(options_.path));
      ok = !dir_sync_pending_;
    }
    dirty_ = false;
    last_sync_ = Clock::now();
    if (!ok) {
      failed_.store(true, std::memory_order_release);
      std::lock_guard lock(mutex_);
      ++stats_.sync_failures;
    }
  }
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  std::function<void(std::chrono::microseconds)> observer;
  {
    std::lock_guard lock(mutex_);
    ++stats_.syncs;
    stats_.last_sync_micros = static_cast<std::uint64_t>(micros.count());
    observer = sync_observer_;
  }
  if (observer) observer(micros);
  return ok;
}

void Journal::finish(std::uint64_t seq) {
  std::function<void(std::size_t)> observer;
  std::size_t backlog = 0;
  {
    std::lock_guard lock(mutex_);
    completed_ = seq;
    backlog = enqueued_ - completed_;
    backlog_.store(backlog, std::memory_order_relaxed);
    observer = backlog_observer_;
  }
  drained_.notify_all();
  if (observer) observer(backlog);
}

void Journal::set_backlog_observer(std::function<void(std::size_t)> observer) {
  std::lock_guard lock(mutex_);
  backlog_observer_ = std::move(observer);
}

}  // namespace xiaoer::store
