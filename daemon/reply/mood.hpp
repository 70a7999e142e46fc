// Mood: how the buyer feels, as far as the reply's tone is concerned.
//
// An upset buyer (intents/mood.yaml decides, or a complaint was chosen) gets
// replies without cheerful cues ({smile}, {heart}, {rose} render as
// nothing; {sorry} stays) and with an apology first. These helpers are the
// text side of that rule; the engine decides the mood.
//
// Pure functions; no state.
#pragma once

#include <string>
#include <string_view>

namespace xiaoer::reply {

enum class Mood { kCalm, kUpset };

std::string_view to_string(Mood mood);

// Tidies a reply whose cheerful cues rendered as nothing: no doubled
// spaces or punctuation marks (，， or ~~; an ellipsis …… stays), no space
// before a mark, none at either end of a line, no mark opening a line.
void tidy_removed_cues(std::string& text);

// True when the reply's first clause, after an opener (亲, 亲亲, 您好),
// apologises already (抱歉, 对不起, 不好意思, sorry).
bool starts_with_apology(std::string_view text);

// `apology` then `reply` on the next line, the reply's opener (亲，) dropped
// since the apology has addressed the buyer already.
std::string with_apology(std::string_view apology, std::string_view reply);

}  // namespace xiaoer::reply
