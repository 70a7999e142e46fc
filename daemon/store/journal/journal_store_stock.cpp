// JournalStore's live stock: the ERP's updates written to the journal, then
// applied whole (catalogue/live_stock.hpp).
#include <spdlog/spdlog.h>

#include "daemon/store/journal/journal_store.hpp"
#include "daemon/store/journal/stock_record.hpp"

namespace xiaoer::store {

void JournalStore::commit_stock(catalogue::StockUpdate update, StockCommitted committed) {
  std::vector<std::string> lines{records::stock(update)};
  std::lock_guard lock(stock_mutex_);
  // Appended under the lock: the journal writes and calls back in append
  // order, so the pending updates settle front first.
  stock_pending_.push_back(std::move(update));
  journal_->append_all(lines, [this, committed](bool ok) {
    {
      std::lock_guard settle_lock(stock_mutex_);
      catalogue::StockUpdate written = std::move(stock_pending_.front());
      stock_pending_.pop_front();
      if (ok) live_.store(live_.load()->with(written));
    }
    if (!ok) {
      metrics_.journal_failures.add();
      spdlog::error("journal write failed: a stock update refused with 'unavailable'");
    }
    committed(ok ? CommitResult::kCommitted : CommitResult::kUnavailable);
  });
}

std::shared_ptr<const catalogue::LiveStock> JournalStore::live_stock() { return live_.load(); }

bool JournalStore::replay_stock(std::string_view record, std::string* error) {
  const std::optional<catalogue::StockUpdate> update = records::parse_stock(record, error);
  if (!update) return false;
  live_.store(live_.load()->with(*update));
  return true;
}

}  // namespace xiaoer::store
