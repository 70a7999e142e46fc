// The catalogue's loaders (YAML and CSV, file:line:col errors) and the
// shipped example catalogue (config/catalogue).
#include "daemon/catalogue/catalogue.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/test_dir.hpp"
#include "tests/test_support.hpp"

namespace xiaoer::catalogue {
namespace {

constexpr const char* kItems = R"(items:
  - id: '1001'
    title: 棉T恤
    updated_at: '2026-11-01'
    fabric: 100%棉
    cut: 宽松
    size_chart:
      - {size: M, height_cm: [155, 165], weight_kg: [45, 55], cm: {袖长: 20, 胸围: 100}}
      - {size: L, height_cm: [165, 175], weight_kg: [55, 65], cm: {袖长: 21.5, 胸围: 106}}
    colours: [黑色, 白色]
    stock:
      - {colour: 黑色, size: M, status: out, date: '2026-12-05'}
      - {colour: 白, status: presale, date: '2026-12-10'}
)";

Catalogue read_yaml(const std::string& text, common::Diagnostics* diagnostics) {
  Catalogue catalogue;
  read_catalogue_yaml("items.yaml", text, catalogue, *diagnostics);
  return catalogue;
}

TEST(CatalogueYaml, ReadsAnItemWithItsChartAndStock) {
  common::Diagnostics diagnostics;
  const Catalogue catalogue = read_yaml(kItems, &diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << testing::describe(diagnostics);
  const Item* item = catalogue.find("1001");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->title, "棉T恤");
  EXPECT_EQ(*item->fact("fabric"), "100%棉");
  EXPECT_EQ(*item->fact("size_fit"), "这款是宽松版型");
  EXPECT_EQ(*item->fact("size_table"), "M码 身高155-165cm 体重45-55kg 袖长20cm 胸围100cm；L码 身高165-175cm "
                                       "体重55-65kg 袖长21.5cm 胸围106cm");
  ASSERT_EQ(item->skus.size(), 4u);
  EXPECT_EQ(item->find_sku("黑色", "M")->stock, (Stock{Availability::kOut, "2026-12-05"}));
  EXPECT_EQ(item->find_sku("黑色", "L")->stock, (Stock{Availability::kInStock, ""}));
  EXPECT_EQ(item->find_sku("白色", "L")->stock, (Stock{Availability::kPreSale, "2026-12-10"}));
  EXPECT_EQ(item->chart.measurement("l", "袖长"), "L码袖长21.5cm");
  EXPECT_EQ(item->chart.recommend(170, 50), "L");
  EXPECT_GT(item->updated_at_ms, 0);
}

TEST(CatalogueYaml, ErrorsNameTheirPlace) {
  common::Diagnostics diagnostics;
  read_yaml(R"(items:
  - id: '7'
    colours: [黑色]
    sizes: [M]
    stock:
      - {colour: 紫色, status: out}
      - {colour: 黑色, status: presale}
      - {colour: 黑色, status: soon}
    colour: 黑
)",
            &diagnostics);
  const std::string all = testing::describe(diagnostics);
  EXPECT_NE(all.find("items.yaml:6:18: colour '紫色' is not one of the item's colours"), std::string::npos) << all;
  EXPECT_NE(all.find("items.yaml:7:30: a pre-sale needs its dispatch date"), std::string::npos) << all;
  EXPECT_NE(all.find("items.yaml:8:30: status must be in, out or presale"), std::string::npos) << all;
  EXPECT_NE(all.find("items.yaml:9:5: unknown field 'colour'"), std::string::npos) << all;
}

TEST(CatalogueYaml, AnIdTwiceIsAnError) {
  common::Diagnostics diagnostics;
  Catalogue catalogue;
  read_catalogue_yaml("a.yaml", "items:\n  - {id: '9', title: 一}\n", catalogue, diagnostics);
  read_catalogue_yaml("b.yaml", "items:\n  - {id: '9', title: 二}\n", catalogue, diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].to_string(), "b.yaml:2:5: item '9' is also at a.yaml:2:5");
}

TEST(CatalogueCsv, RowsMakeItemsAndGiveTheStockOfYamlItems) {
  common::Diagnostics diagnostics;
  Catalogue catalogue = read_yaml(kItems, &diagnostics);
  read_catalogue_csv("stock.csv",
                     "\xEF\xBB\xBFitem_id,colour,size,stock,date,title\r\n"
                     "1001,黑色,M,5,,\r\n"
                     "1001,白色,l,0,2026-12-20,\r\n"
                     "2002,红色,均码,out,,\"围巾, 针织\"\r\n"
                     "2002,灰色,均码,现货,,\r\n",
                     catalogue, diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << testing::describe(diagnostics);
  const Item& tee = *catalogue.find("1001");
  EXPECT_EQ(tee.find_sku("黑色", "M")->stock.availability, Availability::kInStock);
  EXPECT_EQ(tee.find_sku("白色", "L")->stock, (Stock{Availability::kOut, "2026-12-20"}));
  const Item* scarf = catalogue.find("2002");
  ASSERT_NE(scarf, nullptr);
  EXPECT_EQ(scarf->title, "围巾, 针织");
  EXPECT_EQ(scarf->colours, (std::vector<std::string>{"红色", "灰色"}));
  EXPECT_EQ(scarf->find_sku("灰色", "均码")->stock.availability, Availability::kInStock);
}

TEST(CatalogueCsv, ABadRowIsRefusedWithItsLineAndColumn) {
  common::Diagnostics diagnostics;
  Catalogue catalogue = read_yaml(kItems, &diagnostics);
  read_catalogue_csv("stock.csv",
                     "item_id,colour,size,stock,date\n"
                     "1001,黑色,M,in,\n"
                     "1001,白色,L,presale,12/20\n"
                     "1001,紫色,L,in,\n"
                     "2002,红色,均码,\"in,\n"
                     "2002,红色\n",
                     catalogue, diagnostics);
  const std::string all = testing::describe(diagnostics);
  ASSERT_EQ(diagnostics.size(), 4u) << all;
  EXPECT_EQ(diagnostics[0].to_string(), "stock.csv:3:19: date must be YYYY-MM-DD, not '12/20'");
  EXPECT_EQ(diagnostics[1].to_string(), "stock.csv:4:6: item 1001 has no colour '紫色'");
  EXPECT_EQ(diagnostics[2].to_string(), "stock.csv:5:12: unclosed quote");
  EXPECT_EQ(diagnostics[3].to_string(), "stock.csv:6:1: the row has 2 fields, the header 5");
}

TEST(CatalogueCsv, AnUnknownColumnIsAnError) {
  common::Diagnostics diagnostics;
  Catalogue catalogue;
  read_catalogue_csv("stock.csv", "item_id,colour,size,stock,price\n1,黑,M,in,9\n", catalogue, diagnostics);
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0].to_string().rfind("stock.csv:1:27: unknown column 'price'", 0), 0u)
      << diagnostics[0].to_string();
}

TEST(Catalogue, TheShippedExampleLoadsCleanly) {
  const LoadedCatalogue loaded = load_catalogue(std::string(XIAOER_SOURCE_DIR) + "/config/catalogue");
  ASSERT_TRUE(loaded.diagnostics.empty()) << testing::describe(loaded.diagnostics);
  EXPECT_GE(loaded.catalogue.items.size(), 8u);
  const Item* coat = loaded.catalogue.find("680000000401");
  ASSERT_NE(coat, nullptr);
  EXPECT_EQ(coat->find_sku("驼色", "M")->stock, (Stock{Availability::kOut, "2026-12-05"}));
  // stock.csv gives the jeans' stock and adds the scarf.
  EXPECT_EQ(loaded.catalogue.find("680000000201")->find_sku("浅蓝色", "26")->stock.availability, Availability::kOut);
  EXPECT_NE(loaded.catalogue.find("680000000601"), nullptr);
}

TEST(Catalogue, ADirectoryWithoutItemsIsAnError) {
  const auto dir = testing::fresh_test_dir("xiaoer-catalogue-");
  std::filesystem::create_directories(dir);
  const LoadedCatalogue loaded = load_catalogue(dir.string());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_NE(loaded.diagnostics[0].message.find("no catalogue files"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xiaoer::catalogue
