#include "daemon/app/read_gate.hpp"

#include <string>
#include <utility>

#include <spdlog/spdlog.h>

namespace xiaoer::app {

void ReadGate::set(std::size_t limit, Backlog backlog, Names names) {
  limit_ = limit;
  backlog_ = std::move(backlog);
  names_ = std::move(names);
}

bool ReadGate::admit(std::function<void()> resume) {
  if (limit_ == 0 || !backlog_) return true;
  if (!closed() && backlog_() < limit_) return true;
  std::lock_guard lock(mutex_);
  // Checked again under the lock: an update that drained it just before
  // found no one to resume.
  const std::size_t backlog = backlog_();
  if (backlog <= limit_ / 2 || (!closed() && backlog < limit_)) return true;
  if (!closed_.exchange(true)) {
    const auto now = std::chrono::steady_clock::now();
    said_ = !warned_at_ || now - *warned_at_ >= warn_every_;
    if (!said_) {
      ++unsaid_;
    } else {
      const std::string since =
          unsaid_ == 0 ? std::string()
                       : "; closed " + std::to_string(unsaid_) + " more times since the last such line";
      spdlog::warn("{} at {} {} ({} {}): connections stop reading until it drains{}", names_.what, backlog,
                   names_.unit, names_.option, limit_, since);
      warned_at_ = now;
      unsaid_ = 0;
    }
  }
  waiting_.push_back(std::move(resume));
  return false;
}

void ReadGate::update(std::size_t backlog) {
  if (limit_ == 0 || backlog > limit_ / 2) return;
  std::vector<std::function<void()>> resumed;
  bool said = false;
  {
    std::lock_guard lock(mutex_);
    if (!closed()) return;
    closed_.store(false);
    resumed.swap(waiting_);
    said = said_;
  }
  if (said) {
    spdlog::info("{} drained to {} {}: {} connections read again", names_.what, backlog, names_.unit, resumed.size());
  }
  for (auto& resume : resumed) resume();
}

}  // namespace xiaoer::app
