// Gap groups: the messages nothing recognised, grouped by the phrases they
// share, biggest first (`xiaoerd gaps`).
//
// A phrase is a run of 2 to 6 characters (Han, letters, digits; a number or
// an anonymisation placeholder counts as one character) within a message's
// words: no dictionary, so a shop's own words (a product, a slang) surface
// as they are written. A phrase that ties a group is one typical of what
// was not recognised: in more of all traffic than `common_share` it ties
// nothing (这个, 可以), and it must be `min_lift` times more frequent among
// unrecognised messages than in all traffic (不能, 好的 are not; 没收到,
// 自提 are) — when there is recognised traffic to compare with. Groups are
// formed greedily: the phrase with the best score (ungrouped messages ×
// length × lift²) makes the next group, until no phrase ties `min_group`
// ungrouped messages.
//
// Pure functions; deterministic for the same input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace xiaoer::tools {

struct GapOptions {
  std::size_t min_group = 2;      // messages a group needs
  double common_share = 0.03;     // a phrase in more of all messages than this is not a key
  double min_lift = 1.15;         // share among unrecognised / share in all traffic, at least
  double compare_below = 0.8;     // lift is looked at only when less than this share is unrecognised
  std::size_t min_phrase = 2;     // characters
  std::size_t max_phrase = 6;
  std::size_t tying_phrases = 3;  // other phrases shown for a group
};

struct GapGroup {
  std::string phrase;                // every message of the group has it
  std::vector<std::string> tying;    // other phrases most of them share, most shared first
  std::vector<std::size_t> members;  // indices into `gaps`, in input order
  std::size_t weight = 0;            // members counted with their repeats
};

// Groups `gaps` (the core forms of unrecognised messages, each distinct;
// `repeats[i]` is how often gaps[i] was seen) against `all` (the core form
// of every message, recognised or not, to tell common phrases). Groups come
// biggest (by weight) first; messages that share nothing are in none.
std::vector<GapGroup> group_gaps(const std::vector<std::string>& gaps, const std::vector<std::size_t>& repeats,
                                 const std::vector<std::string>& all, const GapOptions& options);

// The distinct phrases of `text`, as group_gaps() sees them.
std::vector<std::string> phrases_of(std::string_view text, const GapOptions& options);

}  // namespace xiaoer::tools
