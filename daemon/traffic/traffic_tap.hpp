// TrafficTap: the chat service's TrafficListener in the daemon. Each
// answered message goes to the recent messages (memory, for a reload's
// summary and guard) and, when the sample is on, is offered to it.
//
// Thread safety: heard() may be called from any thread; it never blocks on
// I/O.
#pragma once

#include "daemon/chat/traffic_line.hpp"
#include "daemon/traffic/recent_messages.hpp"
#include "daemon/traffic/traffic_sample.hpp"

namespace xiaoer::traffic {

class TrafficTap final : public chat::TrafficListener {
 public:
  // Keeps both references; `sample` may be null (the sample is off).
  TrafficTap(RecentMessages& recent, TrafficSample* sample) : recent_(recent), sample_(sample) {}

  void heard(const chat::TrafficLine& line) override {
    recent_.add({line.text, line.channel});
    if (sample_ != nullptr) sample_->offer(line);
  }

 private:
  RecentMessages& recent_;
  TrafficSample* sample_;
};

}  // namespace xiaoer::traffic
