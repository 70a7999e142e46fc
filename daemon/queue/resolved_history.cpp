#include "daemon/queue/resolved_history.hpp"

namespace xiaoer::queue {

void ResolvedHistory::add(Ticket ticket, std::int64_t resolved_ms) {
  resolved_.push_back({std::move(ticket), resolved_ms});
  if (resolved_.size() > kMaxResolved) resolved_.pop_front();
}

void ResolvedHistory::forget_before(std::int64_t before_ms) {
  while (!resolved_.empty() && resolved_.front().resolved_ms < before_ms) resolved_.pop_front();
}

std::vector<ResolvedTicket> ResolvedHistory::search(std::string_view query, std::int64_t since_ms,
                                                    std::size_t limit) const {
  std::vector<ResolvedTicket> out;
  const auto has = [&](const std::string& field) { return field.find(query) != std::string::npos; };
  for (auto it = resolved_.rbegin(); it != resolved_.rend() && out.size() < limit; ++it) {
    if (it->resolved_ms < since_ms) break;  // older ones follow
    const Ticket& t = it->ticket;
    if (query.empty() || has(t.chat) || has(t.buyer_nick) || has(t.id)) out.push_back(*it);
  }
  return out;
}

}  // namespace xiaoer::queue
