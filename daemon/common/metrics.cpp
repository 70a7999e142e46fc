#include "daemon/common/metrics.hpp"

#include <cmath>
#include <sstream>

#include "daemon/common/version.hpp"

namespace xiaoer::common {

Counter& LabelledCounter::with(std::string_view label) {
  {
    std::shared_lock lock(mutex_);
    if (const auto it = counters_.find(label); it != counters_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto& slot = counters_[std::string(label)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

std::map<std::string, std::uint64_t> LabelledCounter::values() const {
  std::shared_lock lock(mutex_);
  std::map<std::string, std::uint64_t> out;
  for (const auto& [label, counter] : counters_) out[label] = counter->value();
  return out;
}

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e6)), std::memory_order_relaxed);
}

std::array<std::uint64_t, Histogram::kBounds.size() + 1> Histogram::cumulative() const {
  std::array<std::uint64_t, kBounds.size() + 1> out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const { return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6; }

std::uint64_t Histogram::count() const { return cumulative().back(); }

namespace {

void counter_family(std::ostringstream& out, const std::string& name, const std::string& help,
                    const std::string& label, const LabelledCounter& family) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n";
  for (const auto& [value, count] : family.values()) out << name << "{" << label << "=\"" << value << "\"} " << count << "\n";
}

void counter(std::ostringstream& out, const std::string& name, const std::string& help, std::uint64_t value) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << value << "\n";
}

// A counter with result="ok" and result="failed".
void outcomes(std::ostringstream& out, const std::string& name, const std::string& help, const Counter& ok,
              const Counter& failed) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n"
      << name << "{result=\"ok\"} " << ok.value() << "\n"
      << name << "{result=\"failed\"} " << failed.value() << "\n";
}

void gauge(std::ostringstream& out, const std::string& name, const std::string& help, double value) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << value << "\n";
}

void histogram(std::ostringstream& out, const std::string& name, const std::string& help, const Histogram& h) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  const auto cumulative = h.cumulative();
  for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
    out << name << "_bucket{le=\"" << Histogram::kBounds[i] << "\"} " << cumulative[i] << "\n";
  }
  out << name << "_bucket{le=\"+Inf\"} " << cumulative.back() << "\n";
  out << name << "_sum " << h.sum() << "\n" << name << "_count " << cumulative.back() << "\n";
}

}  // namespace

std::string Metrics::render_prometheus() const {
  std::ostringstream out;
  out << "# HELP xiaoer_build_info The running build: its version in a label, value 1.\n"
      << "# TYPE xiaoer_build_info gauge\nxiaoer_build_info{version=\"" << version() << "\"} 1\n";
  counter_family(out, "xiaoer_messages_total", "Buyer messages processed, by topic.", "topic", messages_by_topic);
  counter_family(out, "xiaoer_answers_total", "Answer frames sent, by type.", "type", answers_by_type);
  counter_family(out, "xiaoer_handoffs_total", "Chats handed to humans, by reason.", "reason", handoffs_by_reason);
  counter(out, "xiaoer_resends_total", "Resent message ids answered again from the answered window.", resends.value());
  counter(out, "xiaoer_queue_notices_total",
          "Courtesy notices sent: tickets that waited queue.notice_after_s with no agent reply.",
          queue_notices.value());
  outcomes(out, "xiaoer_reloads_total", "Reloads of intents, shop facts and config.", reloads_ok, reloads_failed);
  counter(out, "xiaoer_journal_failures_total", "Journal records that could not be written.", journal_failures.value());
  counter(out, "xiaoer_journal_sync_failures_total",
          "Failed fdatasyncs of the journal (queue changes refused until it is rewritten from memory).",
          journal_sync_failures.value());
  counter(out, "xiaoer_journal_damaged_records_total",
          "Journal lines skipped (bad CRC or form) or records not applied at the last start.",
          journal_damaged_records.value());
  counter(out, "xiaoer_tickets_restored_total",
          "Tickets restored at start from their handoff answer, their open record being damaged.",
          tickets_restored.value());
  outcomes(out, "xiaoer_journal_compactions_total", "Rewrites of the journal as a snapshot of the live state.",
           compactions_ok, compactions_failed);
  counter(out, "xiaoer_connections_refused_total", "Connections refused (limit or authentication).",
          connections_refused.value());
  counter(out, "xiaoer_pushes_expired_total", "Pushes never acknowledged within pushes.expire_after_s.",
          pushes_expired.value());
  counter(out, "xiaoer_pushes_redelivered_total", "Pushes handed to a gateway again (not acknowledged before).",
          pushes_redelivered.value());
  out << "# HELP xiaoer_connections Open websocket connections, by role.\n# TYPE xiaoer_connections gauge\n"
      << "xiaoer_connections{role=\"gateway\"} " << connections_gateway.load() << "\n"
      << "xiaoer_connections{role=\"agent\"} " << connections_agent.load() << "\n";
  for (const Gauge& g : gauges) gauge(out, g.name, g.help, g.read());
  counter_family(out, "xiaoer_agent_tickets_total", "Tickets taken by each agent (claims, transfers to it, assignments).", "agent",
                 tickets_by_agent);
  counter(out, "xiaoer_sla_breaches_total", "Reply deadlines missed: a buyer answered by an agent after it, or left unanswered past it when the ticket was resolved.",
          sla_breaches.value());
  out << "# HELP xiaoer_agent_first_reply_seconds From the handoff to the first agent answer.\n"
      << "# TYPE xiaoer_agent_first_reply_seconds summary\n"
      << "xiaoer_agent_first_reply_seconds_sum " << static_cast<double>(first_agent_reply_ms_sum.load()) / 1000.0 << "\n"
      << "xiaoer_agent_first_reply_seconds_count " << first_agent_replies.value() << "\n";
  if (open_chats_by_agent) {
    out << "# HELP xiaoer_agent_open_chats Chats each agent holds now.\n# TYPE xiaoer_agent_open_chats gauge\n";
    for (const auto& [agent, count] : open_chats_by_agent()) {
      out << "xiaoer_agent_open_chats{agent=\"" << agent << "\"} " << count << "\n";
    }
  }
  histogram(out, "xiaoer_answer_latency_seconds", "From a message frame read to its answer written.", answer_latency);
  histogram(out, "xiaoer_journal_sync_seconds", "Duration of each journal fdatasync.", journal_sync_latency);
  return out.str();
}

}  // namespace xiaoer::common
