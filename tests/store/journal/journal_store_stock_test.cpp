#include "daemon/store/journal/journal_store.hpp"
#include "daemon/store/journal/stock_record.hpp"
#include "tests/test_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

// The journal store's live stock: written before it applies, replayed at
// start, kept by a compaction.
namespace xiaoer::store {
namespace {

namespace fs = std::filesystem;

class FixedClock final : public chat::Clock {
 public:
  std::int64_t now_ms() const override { return 1'000'000; }
  int minute_of_day() const override { return 12 * 60; }
};

const catalogue::Stock kOut{catalogue::Availability::kOut, "2026-12-05"};
const catalogue::Stock kPreSale{catalogue::Availability::kPreSale, "2026-12-10"};

catalogue::Item coat() {
  catalogue::Item item;
  item.id.append("coat");  // not = "coat": GCC 12 warns falsely (-Wrestrict) there
  item.colours = {"驼色", "黑色"};
  item.sizes = {"M", "L"};
  for (const auto& c : item.colours) {
    for (const auto& s : item.sizes) item.skus.push_back({c, s, {}});
  }
  return item;
}

class JournalStoreStockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_test_dir("xiaoer-stock-");
    start();
  }
  void TearDown() override {
    journal_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void start(std::int64_t compact_after_bytes = 64ll << 20) {
    journal_.reset();
    store_ = std::make_unique<JournalStore>(metrics_, clock_, JournalStoreOptions{8, compact_after_bytes});
    ReplayReport report;
    std::string error;
    journal_ = Journal::open(
        {(dir_ / "journal.log").string()},
        [this](std::string_view record) {
          std::string why;
          EXPECT_TRUE(store_->replay(record, &why)) << why;
        },
        &report, &error);
    ASSERT_NE(journal_, nullptr) << error;
    store_->attach(*journal_);
  }

  CommitResult commit(catalogue::StockUpdate update) {
    std::promise<CommitResult> done;
    store_->commit_stock(std::move(update), [&](CommitResult r) { done.set_value(r); });
    return done.get_future().get();
  }

  catalogue::Stock stock(const std::string& colour, const std::string& size) {
    const catalogue::Item item = coat();
    return store_->live_stock()->stock_of(item, *item.find_sku(colour, size));
  }

  common::Metrics metrics_;
  FixedClock clock_;
  fs::path dir_;
  std::unique_ptr<JournalStore> store_;
  std::unique_ptr<Journal> journal_;
};

TEST_F(JournalStoreStockTest, AnUpdateAppliesWholeOnceWrittenAndIsReplayed) {
  const auto before = store_->live_stock();
  ASSERT_EQ(commit({"coat", {{"驼色", "M", kOut}, {"黑色", "", kPreSale}}, 2000}), CommitResult::kCommitted);
  EXPECT_EQ(stock("驼色", "M"), kOut);
  EXPECT_EQ(stock("黑色", "L"), kPreSale);
  EXPECT_EQ(before->size(), 0u);  // a snapshot taken before stays as it was
  start();
  EXPECT_EQ(stock("驼色", "M"), kOut);
  EXPECT_EQ(stock("黑色", "M"), kPreSale);
  EXPECT_EQ(stock("驼色", "L").availability, catalogue::Availability::kInStock);
}

TEST_F(JournalStoreStockTest, ACompactionKeepsTheLiveStock) {
  start(/*compact_after_bytes=*/1);
  ASSERT_EQ(commit({"coat", {{"驼色", "", kOut}}, 2000}), CommitResult::kCommitted);
  ASSERT_EQ(commit({"coat", {{"驼色", "L", kPreSale}}, 3000}), CommitResult::kCommitted);
  store_->tick(clock_.now_ms(), 1'000'000);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (metrics_.compactions_ok.value() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(metrics_.compactions_ok.value(), 1u);
  start();
  EXPECT_EQ(stock("驼色", "M"), kOut);
  EXPECT_EQ(stock("驼色", "L"), kPreSale);
}

TEST(StockRecord, RoundTrips) {
  const catalogue::StockUpdate update{"coat", {{"驼色", "", kOut}, {"", "L", kPreSale}}, 1234};
  const std::string line = records::stock(update);
  EXPECT_TRUE(records::is_stock(line));
  std::string error;
  const auto back = records::parse_stock(line, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->item, "coat");
  EXPECT_EQ(back->at_ms, 1234);
  ASSERT_EQ(back->skus.size(), 2u);
  EXPECT_EQ(back->skus[1].size, "L");
  EXPECT_EQ(back->skus[1].stock, kPreSale);
  EXPECT_FALSE(records::parse_stock(R"({"t":"stock","item":"x"})", &error));
}

}  // namespace
}  // namespace xiaoer::store
