#pragma once

#include <functional>
#include <mutex>
#include <vector>

namespace xiaoer::common {

// Runs a job one at a time. The requests made while it runs share one more
// run after it: that run starts after each of them was made, so it sees
// whatever they were made for, and however many came, it runs once. (The
// Redis store's resync: each connection coming up asks for one, and so does
// start(); three at once would read the whole store three times.)
class CoalescedRun {
 public:
  using Done = std::function<void(bool ok)>;
  // Must call its Done exactly once, on any thread, perhaps before it returns.
  using Job = std::function<void(Done)>;

  explicit CoalescedRun(Job job) : job_(std::move(job)) {}

  // `done` (may be empty) gets the result of a run that started after this call.
  void request(Done done = {});

 private:
  void start(std::vector<Done> waiting);

  Job job_;
  std::mutex mutex_;
  bool running_ = false;
  bool again_ = false;
  std::vector<Done> next_;  // the dones of the run after this one
};

}  // namespace xiaoer::common
