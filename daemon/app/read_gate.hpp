// ReadGate: connections stop reading while the store's backlog is full,
// and go on once it has drained to half (issue 10, defect 6). A slow disk
// (the journal's writer) or a slow Redis then holds the gateway back
// through TCP, instead of growing the daemon's memory, and each message's
// wait, with every frame read.
//
// A connection asks before each read (admit); refused, it is resumed by the
// store (update, after each batch or answer). The backlog may pass the
// limit by what is read while one batch is written.
//
// Under a sustained overload the gate closes several times a second: it
// says so once every `warn_every`, with how many closings went unsaid.
//
// Thread safety: all members may be called from any thread; `resume`
// callbacks run outside the lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace xiaoer::app {

class ReadGate {
 public:
  using Backlog = std::function<std::size_t()>;
  // The backlog in log lines and /readyz: {"journal backlog", "records",
  // "journal.max_backlog"} reads "journal backlog at 100000 records
  // (journal.max_backlog 100000)".
  struct Names {
    std::string what;
    std::string unit;
    std::string option;
  };

  explicit ReadGate(std::chrono::milliseconds warn_every = std::chrono::seconds(10)) : warn_every_(warn_every) {}

  // `limit` 0: never closed. Set before serving.
  void set(std::size_t limit, Backlog backlog, Names names);

  // true: read now; false: `resume` runs once the backlog has drained.
  bool admit(std::function<void()> resume);
  // The backlog after a batch or an answer of the store.
  void update(std::size_t backlog);
  // Whether connections are held back now (for /readyz).
  bool closed() const { return closed_.load(std::memory_order_relaxed); }
  const std::string& what() const { return names_.what; }

 private:
  std::size_t limit_ = 0;
  Backlog backlog_;
  Names names_;
  const std::chrono::milliseconds warn_every_;
  std::mutex mutex_;
  std::vector<std::function<void()>> waiting_;
  std::atomic<bool> closed_{false};
  // Under mutex_: the last closing said, the closings since, and whether
  // this closing was said (then so is its end).
  std::optional<std::chrono::steady_clock::time_point> warned_at_;
  std::size_t unsaid_ = 0;
  bool said_ = false;
};

}  // namespace xiaoer::app
