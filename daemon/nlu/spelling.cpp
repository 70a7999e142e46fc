#include "daemon/nlu/spelling.hpp"

#include <array>

namespace xiaoer::nlu {
namespace {

constexpr std::array kVariants = {
    // net slang
    SpellingVariant{"神马", "什么", "神"},
    SpellingVariant{"肿么", "怎么", "肿"},
    SpellingVariant{"有木有", "有没有", "木"},
    SpellingVariant{"还木有", "还没有", "木"},
    SpellingVariant{"木有收", "没有收", "木"},
    SpellingVariant{"木有到", "没有到", "木"},
    SpellingVariant{"木有发", "没有发", "木"},
    SpellingVariant{"木有货", "没有货", "木"},
    SpellingVariant{"木有了", "没有了", "木"},
    SpellingVariant{"介个", "这个", "介"},
    SpellingVariant{"酱紫", "这样子", "酱"},
    SpellingVariant{"灰常", "非常", "灰"},
    // Cantonese and Taiwan typing
    SpellingVariant{"冇", "没有", "冇"},
    SpellingVariant{"甚么", "什么", "甚"},
    SpellingVariant{"妳", "你", "妳"},
    // words OpenCC's per-character table folds to the wrong character
    // (拉鍊 → 拉炼) or leaves (穿著, 瞭解): its phrase table is not used
    SpellingVariant{"拉炼", "拉链", "炼"},
    SpellingVariant{"项炼", "项链", "炼"},
    SpellingVariant{"穿著", "穿着", "著"},
    SpellingVariant{"著急", "着急", "著"},
    SpellingVariant{"等著", "等着", "著"},
    SpellingVariant{"试著", "试着", "著"},
    SpellingVariant{"著凉", "着凉", "著"},
    SpellingVariant{"瞭解", "了解", "瞭"},
    SpellingVariant{"钮扣", "纽扣", "钮"},
    // pinyin IME slips: a neighbouring character of the same sound
    SpellingVariant{"时侯", "时候", "侯"},
    SpellingVariant{"法货", "发货", "法"},
    SpellingVariant{"推货", "退货", "推"},
    SpellingVariant{"推款", "退款", "推"},
    SpellingVariant{"退宽", "退款", "宽"},
    SpellingVariant{"物留", "物流", "留"},
    SpellingVariant{"衣副", "衣服", "副"},
    SpellingVariant{"库子", "裤子", "库"},
    SpellingVariant{"群子", "裙子", "群"},
    SpellingVariant{"起求", "起球", "求"},
    SpellingVariant{"顺风", "顺丰", "风"},
};

}  // namespace

std::span<const SpellingVariant> spelling_variants() { return kVariants; }

}  // namespace xiaoer::nlu
