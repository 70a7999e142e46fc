// ReadGate: connections stop reading while the journal's backlog is full,
// and go on once it has drained to half (issue 10, defect 6). A slow disk
// then holds the gateway back through TCP, instead of growing the daemon's
// memory with every frame read.
//
// A connection asks before each read (admit); refused, it is resumed by the
// journal's writer (update, after each batch). The backlog may pass the
// limit by what is read while one batch is written.
//
// Thread safety: all members may be called from any thread; `resume`
// callbacks run outside the lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace xiaoer::app {

class ReadGate {
 public:
  using Backlog = std::function<std::size_t()>;

  // `limit` 0: never closed. Set before serving.
  void set(std::size_t limit, Backlog backlog);

  // true: read now; false: `resume` runs once the backlog has drained.
  bool admit(std::function<void()> resume);
  // The backlog after a batch of the journal.
  void update(std::size_t backlog);
  // Whether connections are held back now (for /readyz).
  bool closed() const { return closed_.load(std::memory_order_relaxed); }

 private:
  std::size_t limit_ = 0;
  Backlog backlog_;
  std::mutex mutex_;
  std::vector<std::function<void()>> waiting_;
  std::atomic<bool> closed_{false};
};

}  // namespace xiaoer::app
