// Metrics: counters, gauges and a latency histogram, rendered in the
// Prometheus text format for GET /metrics.
//
// Counters are relaxed atomics: the hot path pays one uncontended add.
// Labelled counters (messages by topic) are created on first use under a
// lock and then only read.
//
// Thread safety: every member may be used from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::common {

class Counter {
 public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A family of counters told apart by one label's value.
class LabelledCounter {
 public:
  Counter& with(std::string_view label);
  std::map<std::string, std::uint64_t> values() const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters_;
};

// Latencies in seconds, with fixed bucket bounds from 50 µs to 5 s.
class Histogram {
 public:
  static constexpr std::array<double, 16> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                     0.025,   0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0};
  void observe(double seconds);
  // Cumulative counts per bound, then +Inf; and the sum.
  std::array<std::uint64_t, kBounds.size() + 1> cumulative() const;
  double sum() const;
  std::uint64_t count() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_micros_{0};
};

struct Metrics {
  LabelledCounter messages_by_topic;   // topic or "none"
  LabelledCounter answers_by_type;     // reply, handoff, hold, error
  LabelledCounter handoffs_by_reason;
  Counter resends;                     // resent ids answered from the window
  Counter queue_notices;               // courtesy notices: tickets past the answer-time SLA
  Counter reloads_ok;
  Counter reloads_failed;
  Counter journal_failures;
  Counter journal_sync_failures;
  Counter journal_damaged_records;     // at start: lines skipped or records not applied
  Counter tickets_restored;            // at start: tickets whose lost `open` record an answer made up for       // fdatasync of the journal failed (changes refused until rewritten)
  Counter compactions_ok;              // journal rewrites
  Counter compactions_failed;
  Counter connections_refused;         // over the limit or unauthorised
  Counter pushes_expired;              // never acknowledged within pushes.expire_after_s
  Counter pushes_redelivered;          // handed to a gateway again (not acknowledged on the first)
  Histogram answer_latency;            // frame in → answer written
  Histogram journal_sync_latency;      // fdatasync
  // The agents' console (docs/console.md).
  LabelledCounter tickets_by_agent;  // tickets an agent took (claims, transfers to it)
  Counter sla_breaches;              // agent answers (or resolutions) after the buyer's reply deadline
  Counter first_agent_replies;       // tickets answered by an agent for the first time
  std::atomic<std::int64_t> first_agent_reply_ms_sum{0};  // handoff → that answer
  // Open (claimed) chats per agent, read at render time; set before serving.
  std::function<std::map<std::string, double>()> open_chats_by_agent;
  std::atomic<std::int64_t> connections_gateway{0};
  std::atomic<std::int64_t> connections_agent{0};

  // Gauges read at render time (queue depth, oldest ticket age, chats).
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges;  // set up before serving; read-only after

  std::string render_prometheus() const;
};

}  // namespace xiaoer::common
