// LiveStock: the ERP's updates over the catalogue's stock.
#include "daemon/catalogue/live_stock.hpp"

#include <gtest/gtest.h>

namespace xiaoer::catalogue {
namespace {

Item tee() {
  Item item;
  item.id.append("1");  // not = "1": GCC 12 warns falsely (-Wrestrict) there
  item.colours = {"黑色", "白色"};
  item.sizes = {"M", "L"};
  for (const auto& c : item.colours) {
    for (const auto& s : item.sizes) item.skus.push_back({c, s, {}});
  }
  item.updated_at_ms = 1000;
  return item;
}

const Stock kOut{Availability::kOut, "2026-12-05"};
const Stock kPreSale{Availability::kPreSale, "2026-12-10"};

TEST(LiveStock, AnUpdateOverlaysTheSkusItNamesAndLeavesTheOldSnapshotAlone) {
  const Item item = tee();
  const auto empty = std::make_shared<const LiveStock>();
  const auto one = empty->with({"1", {{"黑色", "M", kOut}}, 2000});
  EXPECT_EQ(one->stock_of(item, *item.find_sku("黑色", "M")), kOut);
  EXPECT_EQ(one->stock_of(item, *item.find_sku("黑色", "L")).availability, Availability::kInStock);
  EXPECT_EQ(empty->stock_of(item, *item.find_sku("黑色", "M")).availability, Availability::kInStock);
  // A colour for every size, applied over the one SKU (which it replaces).
  const auto two = one->with({"1", {{"黑色", "", kPreSale}}, 3000});
  EXPECT_EQ(two->stock_of(item, *item.find_sku("黑色", "M")), kPreSale);
  EXPECT_EQ(two->stock_of(item, *item.find_sku("黑色", "L")), kPreSale);
  EXPECT_EQ(two->size(), 1u);
  const Item seen = two->applied_to(item);
  EXPECT_EQ(seen.find_sku("白色", "M")->stock.availability, Availability::kInStock);
  EXPECT_EQ(seen.find_sku("黑色", "L")->stock, kPreSale);
}

TEST(LiveStock, ACatalogueWrittenAfterTheUpdateSupersedesIt) {
  Item item = tee();
  const auto live = std::make_shared<const LiveStock>()->with({"1", {{"白色", "L", kOut}}, 2000});
  EXPECT_EQ(live->stock_of(item, *item.find_sku("白色", "L")), kOut);
  item.updated_at_ms = 2500;  // reloaded: the file is newer
  EXPECT_EQ(live->stock_of(item, *item.find_sku("白色", "L")).availability, Availability::kInStock);
}

TEST(LiveStock, UpdatesReplayToTheSameOverlay) {
  const Item item = tee();
  auto live = std::make_shared<const LiveStock>()->with({"1", {{"黑色", "", kOut}, {"黑色", "L", kPreSale}}, 2000});
  auto replayed = std::make_shared<const LiveStock>();
  for (const StockUpdate& update : live->updates()) replayed = replayed->with(update);
  for (const Sku& sku : item.skus) EXPECT_EQ(replayed->stock_of(item, sku), live->stock_of(item, sku));
  EXPECT_EQ(replayed->stock_of(item, *item.find_sku("黑色", "L")), kPreSale);
  EXPECT_EQ(replayed->stock_of(item, *item.find_sku("黑色", "M")), kOut);
}

TEST(Item, ColoursAndSizesAsBuyersSayThem) {
  Item item = tee();
  item.colours = {"黑色", "深蓝色", "浅蓝色"};
  EXPECT_EQ(*item.match_colour("黑"), "黑色");
  EXPECT_EQ(*item.match_colour("深蓝"), "深蓝色");
  EXPECT_EQ(item.match_colour("蓝"), nullptr);  // which one?
  EXPECT_EQ(*item.match_size("l"), "L");
  EXPECT_EQ(spoken_date("2026-12-05"), "12月5日");
  EXPECT_EQ(parse_updated_at("2000-01-01 08:00"), 946684800000);  // China Standard Time
  EXPECT_FALSE(parse_updated_at("2026-13-01"));
}

}  // namespace
}  // namespace xiaoer::catalogue
