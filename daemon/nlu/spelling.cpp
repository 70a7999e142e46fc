#include "daemon/nlu/spelling.hpp"

#include <array>

namespace xiaoer::nlu {
namespace {

constexpr std::array kVariants = {
    // net slang
    SpellingVariant{"神马", "什么"},     SpellingVariant{"肿么", "怎么"},
    SpellingVariant{"有木有", "有没有"}, SpellingVariant{"还木有", "还没有"},
    SpellingVariant{"木有收", "没有收"}, SpellingVariant{"木有到", "没有到"},
    SpellingVariant{"木有发", "没有发"}, SpellingVariant{"木有货", "没有货"},
    SpellingVariant{"木有了", "没有了"}, SpellingVariant{"介个", "这个"},
    SpellingVariant{"酱紫", "这样子"},   SpellingVariant{"灰常", "非常"},
    // Cantonese and Taiwan typing
    SpellingVariant{"冇", "没有"},       SpellingVariant{"甚么", "什么"},
    SpellingVariant{"妳", "你"},
    // words OpenCC's per-character table folds to the wrong character
    // (拉鍊 → 拉炼) or leaves (穿著, 瞭解): its phrase table is not used
    SpellingVariant{"拉炼", "拉链"},     SpellingVariant{"项炼", "项链"},
    SpellingVariant{"穿著", "穿着"},     SpellingVariant{"著急", "着急"},
    SpellingVariant{"等著", "等着"},     SpellingVariant{"试著", "试着"},
    SpellingVariant{"著凉", "着凉"},     SpellingVariant{"瞭解", "了解"},
    SpellingVariant{"钮扣", "纽扣"},
    // pinyin IME slips: a neighbouring character of the same sound
    SpellingVariant{"时侯", "时候"},     SpellingVariant{"么时后", "么时候"},
    SpellingVariant{"啥时后", "啥时候"}, SpellingVariant{"法货", "发货"},
    SpellingVariant{"推货", "退货"},     SpellingVariant{"退宽", "退款"},
    SpellingVariant{"推款", "退款"},     SpellingVariant{"退欢", "退换"},
    SpellingVariant{"物留", "物流"},     SpellingVariant{"衣副", "衣服"},
    SpellingVariant{"库子", "裤子"},     SpellingVariant{"群子", "裙子"},
    SpellingVariant{"起求", "起球"},     SpellingVariant{"顺风", "顺丰"},
};

}  // namespace

std::span<const SpellingVariant> spelling_variants() { return kVariants; }

}  // namespace xiaoer::nlu
