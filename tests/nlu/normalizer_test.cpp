#include "daemon/nlu/normalizer.hpp"

#include <gtest/gtest.h>

#include "daemon/common/utf8.hpp"
#include "daemon/nlu/spelling.hpp"

namespace xiaoer::nlu {
namespace {

std::shared_ptr<const Normalizer> opencc() {
  std::string error;
  auto n = Normalizer::from_opencc(std::string(Normalizer::kDefaultDictionary), &error);
  EXPECT_NE(n, nullptr) << error;
  return n;
}

TEST(Normalizer, TraditionalBecomesSimplified) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("請問發什麼快遞"), "请问发什么快递");
  EXPECT_EQ(n->normalize("衣服會起球嗎"), "衣服会起球吗");
  EXPECT_GT(n->mapped_characters(), 2000u);
}

// OpenCC's table maps some characters to characters it maps again (薴 → 苧
// → 苎): each goes to the end of its chain, so normalising is idempotent
// (the normaliser fuzz target found it); a cycle ends at its smallest.
TEST(Normalizer, ChainsInTheTableEndWhereTheyEnd) {
  EXPECT_EQ(opencc()->normalize("薴"), "苎");
  const auto n = Normalizer::from_pairs({{U'甲', U'乙'}, {U'乙', U'丙'}, {U'丁', U'戊'}, {U'戊', U'丁'}, {U'己', U'己'}});
  EXPECT_EQ(n->normalize("甲乙丙"), "丙丙丙");
  EXPECT_EQ(n->normalize("丁戊己"), "丁丁己");
}

TEST(Normalizer, EveryCharacterOfTheShippedTableNormalisesOnce) {
  const auto n = opencc();
  std::string once, twice, text;
  // The CJK blocks: where the table's keys are.
  for (const auto& [from, to] : {std::pair<char32_t, char32_t>{0x2E80, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FA1F}}) {
    for (char32_t cp = from; cp <= to; ++cp) {
      text.clear();
      common::append_utf8(text, cp);
      n->normalize_into(text, once);
      n->normalize_into(once, twice);
      ASSERT_EQ(once, twice) << "U+" << std::hex << static_cast<std::uint32_t>(cp);
    }
  }
}

TEST(Normalizer, FullWidthAndCaseFold) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("ＸＬ码有吗？"), "xl码有吗?");
  EXPECT_EQ(n->normalize("身高１６５ＣＭ"), "身高165cm");
}

TEST(Normalizer, ChinesePunctuationBecomesAsciiAndRunsFold) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("好的，谢谢。。。"), "好的,谢谢.");
  EXPECT_EQ(n->normalize("在吗？？？！！"), "在吗?" "?!!");  // two of ? and ! kept: the mood reads them
  EXPECT_EQ(n->normalize("怎么还没到!!!!!"), "怎么还没到!!");
  EXPECT_EQ(n->normalize("好的。。。～～"), "好的.~");
}

TEST(Normalizer, EmoticonsFoldToOneName) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("谢谢/:^_^"), "谢谢[微笑]");
  EXPECT_EQ(n->normalize("谢谢😊"), "谢谢[微笑]");
  EXPECT_EQ(n->normalize("谢谢[微笑]"), "谢谢[微笑]");
  EXPECT_EQ(n->normalize("太差了😡😡"), "太差了[发怒][发怒]");
  EXPECT_EQ(n->normalize("送朵/:rose"), "送朵[玫瑰]");
}

TEST(Normalizer, WhitespaceCollapsesAndTrims) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("  亲 \t\n 在吗\u3000 "), "亲 在吗");
  EXPECT_EQ(n->normalize(""), "");
}

TEST(Normalizer, MalformedUtf8IsDroppedNotFatal) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize(std::string("在\xff\xfe吗")), "在吗");
  EXPECT_EQ(n->normalize(std::string("\xe5\x9c")), "");  // truncated sequence
}

TEST(Normalizer, KeepsAnonymisationTokensAndDecimals) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("订单[订单x]"), "订单[订单x]");
  EXPECT_EQ(n->normalize("1.65米"), "1.65米");
}

TEST(Normalizer, EmoticonCodesAreFoundAfterFolding) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("好的／：ｏｋ"), "好的[ok]");
  EXPECT_EQ(n->normalize("[生氣]"), "[发怒]");
  EXPECT_EQ(n->normalize("[強]"), "[赞]");
  EXPECT_EQ(n->normalize("/\xff:ok"), "[ok]");
}

TEST(Normalizer, IsIdempotent) {
  const auto n = opencc();
  for (const char* text : {"好的／：ｏｋ", "[生氣] !! !!", "請問 發什麼快遞？？", "谢谢😊😊 /:^_^", "  ＡＢＣ  1.65米 ",
                           "[[微笑]]", "/\xff:ok", "a\t\tb。。。", "\x01/::^_^\x01/_^"}) {
    const std::string once = n->normalize(text);
    EXPECT_EQ(n->normalize(once), once) << text;
  }
}

TEST(Normalizer, SpellingVariantsBecomeTheStandardWord) {
  const auto n = opencc();
  EXPECT_EQ(n->normalize("神马时候发货"), "什么时候发货");
  EXPECT_EQ(n->normalize("有木有黑色"), "有没有黑色");
  EXPECT_EQ(n->normalize("亲 几时法货"), "亲 几时发货");
  EXPECT_EQ(n->normalize("甚麼時侯到"), "什么时候到");  // Taiwan typing, then the IME slip
  EXPECT_EQ(n->normalize("冇货"), "没有货");
  EXPECT_EQ(n->normalize("拉鍊壞了 穿著不舒服"), "拉链坏了 穿着不舒服");  // OpenCC's per-character 鍊 → 炼
  EXPECT_EQ(n->normalize("神马时侯到"), "什么时候到");  // two in a row
  // words of their own stay
  EXPECT_EQ(n->normalize("实木的"), "实木的");
  EXPECT_EQ(n->normalize("腰围二尺吗"), "腰围二尺吗");
  EXPECT_EQ(n->normalize("退货"), "退货");
}

TEST(Normalizer, EachSpellingVariantHoldsItsKey) {
  for (const SpellingVariant& v : spelling_variants()) {
    EXPECT_EQ(v.key.size(), 3u) << v.variant;  // one CJK character
    EXPECT_NE(v.variant.find(v.key), std::string_view::npos) << v.variant;
  }
}

TEST(Normalizer, SpellingVariantsAreIdempotent) {
  const auto n = opencc();
  std::string all;
  for (const SpellingVariant& v : spelling_variants()) all += std::string(v.variant) + std::string(v.standard);
  for (const SpellingVariant& a : spelling_variants()) {
    for (const SpellingVariant& b : spelling_variants()) {
      const std::string text = std::string(a.standard) + std::string(b.variant) + std::string(a.variant);
      const std::string once = n->normalize(text);
      EXPECT_EQ(n->normalize(once), once) << text;
    }
  }
  const std::string once = n->normalize(all);
  EXPECT_EQ(n->normalize(once), once);
}

TEST(Normalizer, MissingDictionaryIsAnError) {
  std::string error;
  EXPECT_EQ(Normalizer::from_opencc("/nonexistent/TSCharacters.ocd2", &error), nullptr);
  EXPECT_NE(error.find("/nonexistent/TSCharacters.ocd2"), std::string::npos);
}

}  // namespace
}  // namespace xiaoer::nlu
