#include "daemon/app/canned_replies.hpp"

#include <filesystem>

#include "daemon/common/json_writer.hpp"
#include "daemon/common/yaml_reader.hpp"

namespace xiaoer::app {

LoadedCanned parse_canned(const std::string& file_name, std::string_view text) {
  LoadedCanned out;
  common::YamlReader reader(file_name, out.diagnostics);
  const std::optional<YAML::Node> root = reader.parse(text);
  if (!root || root->IsNull()) return out;
  if (!reader.check_map(*root, "the canned replies file", {"replies"})) return out;
  const YAML::Node list = (*root)["replies"];
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) {
    reader.error(list, "replies must be a list of {key, title, text}");
    return out;
  }
  for (const YAML::Node& item : list) {
    if (!reader.check_map(item, "a canned reply", {"key", "title", "text"})) continue;
    CannedReply reply;
    bool ok = true;
    for (auto [name, field] : {std::pair{"key", &reply.key}, std::pair{"title", &reply.title}, std::pair{"text", &reply.text}}) {
      const YAML::Node value = item[name];
      if (!value) {
        reader.error(item, std::string("a canned reply needs ") + name);
        ok = false;
      } else if (!reader.read_string(value, name, field)) {
        ok = false;
      }
    }
    if (ok) out.replies.push_back(std::move(reply));
  }
  return out;
}

LoadedCanned load_canned(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::string text;
  if (!common::read_file(path, &text)) {
    LoadedCanned out;
    out.diagnostics.emplace_back(common::SourceLocation{path}, "cannot read the canned replies file");
    return out;
  }
  return parse_canned(path, text);
}

std::string fill_facts(std::string_view text, const std::map<std::string, std::string, std::less<>>& facts) {
  std::string out;
  while (!text.empty()) {
    const std::size_t open = text.find('{');
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(0, open));
    const auto fact = facts.find(text.substr(open + 1, close - open - 1));
    out.append(fact != facts.end() ? std::string_view(fact->second) : text.substr(open, close - open + 1));
    text.remove_prefix(close + 1);
  }
  out.append(text);
  return out;
}

std::string encode_canned(const std::vector<CannedReply>& replies) {
  return common::typed_object("type", "canned", [&](common::JsonWriter& w) {
    w.key("replies").begin_array();
    for (const CannedReply& r : replies) {
      w.begin_object().field("key", r.key).field("title", r.title).field("text", r.text).end_object();
    }
    w.end_array();
  });
}

}  // namespace xiaoer::app
