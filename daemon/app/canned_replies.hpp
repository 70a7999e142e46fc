// Canned replies (快捷短语) for the console's composer, from a YAML file
// (console.canned_file):
//
//   replies:
//     - {key: ship, title: 发货, text: "亲，我们默认发{courier}…"}
//
// {fact} placeholders take the shop facts when served; the page fills
// {buyer_nick} with the ticket's buyer.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/diagnostic.hpp"

namespace xiaoer::app {

struct CannedReply {
  std::string key, title, text;
};

struct LoadedCanned {
  std::vector<CannedReply> replies;
  common::Diagnostics diagnostics;
};

// Reads `path`; a missing file is an empty list. Errors name file:line:col.
LoadedCanned load_canned(const std::string& path);
LoadedCanned parse_canned(const std::string& file_name, std::string_view text);

// `text` with each {name} found in `facts` replaced by its value; other
// braces are left as they are.
std::string fill_facts(std::string_view text, const std::map<std::string, std::string, std::less<>>& facts);

// {"type":"canned","replies":[{"key","title","text"}…]}
std::string encode_canned(const std::vector<CannedReply>& replies);

}  // namespace xiaoer::app
