#include "daemon/nlu/core_form.hpp"

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace xiaoer::nlu {
namespace {

// The core of a raw message, normalised first as the engine does.
std::string core(std::string_view text) { return core_form(testing::normalizer()->normalize(text)); }

TEST(CoreForm, EmoticonsAndEmojiAreRemovedEverywhere) {
  EXPECT_EQ(core("你好[微笑]"), "你好");
  EXPECT_EQ(core("在吗😊"), "在吗");
  EXPECT_EQ(core("在吗🤔🤔"), "在吗");            // an emoji the normaliser has no name for
  EXPECT_EQ(core("好的/:^_^谢谢"), "好的谢谢");
  EXPECT_EQ(core("好的 [可爱] 谢谢"), "好的 谢谢");  // a client's own code
  EXPECT_EQ(core("[Facepalm]又没到"), "又没到");
  EXPECT_EQ(core("[微笑]"), "[微笑]");             // never all of it
}

TEST(CoreForm, OpenersGoWhenSomethingFollowsThem) {
  EXPECT_EQ(core("亲，这个有货吗"), "这个有货吗");
  EXPECT_EQ(core("你好呀，在吗"), "在吗");
  EXPECT_EQ(core("客服 你好! m码还有吗"), "m码还有吗");
  EXPECT_EQ(core("老板,掌柜的,亲亲~发什么快递"), "发什么快递");
  EXPECT_EQ(core("亲"), "亲");
  EXPECT_EQ(core("你好"), "你好");
  EXPECT_EQ(core("亲～"), "亲");
  // Without a separator an opener is part of a word.
  EXPECT_EQ(core("亲自去拿"), "亲自去拿");
  EXPECT_EQ(core("客服电话多少"), "客服电话多少");
}

TEST(CoreForm, TrailingParticlesGoButQuestionsStay) {
  EXPECT_EQ(core("多少钱啊～～"), "多少钱");
  EXPECT_EQ(core("好的哈"), "好的");
  EXPECT_EQ(core("哈哈哈"), "哈哈哈");
  EXPECT_EQ(core("那尺码呢"), "那尺码呢");
  EXPECT_EQ(core("怎么还没到？？"), "怎么还没到??");
  EXPECT_EQ(core("有货吗?"), "有货吗?");
}

TEST(CoreForm, PlaceholdersStayTokensButANameAtEitherEndGoes) {
  EXPECT_EQ(core("[订单x]什么时候发货"), "[订单x]什么时候发货");
  EXPECT_EQ(core("满[数字x]减[金额x]吗"), "满[数字x]减[金额x]吗");
  EXPECT_EQ(core("显示明天送达 [姓名x]"), "显示明天送达");
  EXPECT_EQ(core("[姓名x]在吗"), "在吗");
  EXPECT_EQ(core("[姓名x]"), "[姓名x]");
  EXPECT_EQ(core("到[地址x]几天"), "到[地址x]几天");
}

TEST(CoreForm, IsItsOwnCore) {
  for (const char* text : {"你好[微笑]", "[微[微笑]笑]", "x[微[微笑]笑]", "亲, 哈", "你好, ~", "[微笑] 哈",
                           "[微笑]亲,[微笑]", "亲,好的哈", "[姓名x] [姓名x]", "", " ", "~~~", "呀 [子]"}) {
    const std::string once = core(text);
    EXPECT_EQ(core_form(once), once) << text;
    EXPECT_EQ(once.empty(), testing::normalizer()->normalize(text).empty()) << text;
  }
}

}  // namespace
}  // namespace xiaoer::nlu
