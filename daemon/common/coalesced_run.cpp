#include "daemon/common/coalesced_run.hpp"

#include <utility>

namespace xiaoer::common {

void CoalescedRun::request(Done done) {
  {
    std::lock_guard lock(mutex_);
    if (running_) {
      again_ = true;
      if (done) next_.push_back(std::move(done));
      return;
    }
    running_ = true;
  }
  std::vector<Done> waiting;
  if (done) waiting.push_back(std::move(done));
  start(std::move(waiting));
}

void CoalescedRun::start(std::vector<Done> waiting) {
  job_([this, waiting = std::move(waiting)](bool ok) mutable {
    for (Done& done : waiting) done(ok);
    std::vector<Done> next;
    {
      std::lock_guard lock(mutex_);
      if (!again_) {
        running_ = false;
        return;
      }
      again_ = false;
      next.swap(next_);
    }
    start(std::move(next));
  });
}

}  // namespace xiaoer::common
