#include "daemon/tools/answer_diff.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iomanip>
#include <map>
#include <ostream>

#include "daemon/engine/decision.hpp"

namespace xiaoer::tools {

AnswerDiff diff_answers(const engine::Engine& before, const engine::Engine& after,
                        const std::vector<TrafficEntry>& messages, const std::string& channel,
                        std::size_t examples) {
  AnswerDiff diff;
  std::map<std::string, std::size_t> index;  // transition name → its place in diff.transitions
  const nlu::Context fresh;
  for (const TrafficEntry& message : messages) {
    const std::string& on = message.channel.empty() ? channel : message.channel;
    const engine::Outcome was = before.respond(message.text, fresh, on);
    const engine::Outcome now = after.respond(message.text, fresh, on);
    ++diff.messages;
    const std::string from = engine::outcome_label(was);
    const std::string to = engine::outcome_label(now);
    if (from == to && was.text == now.text) continue;
    ++diff.changed;
    const std::string name = from != to ? from + " → " + to : from + ": reply text changed";
    const auto [it, added] = index.emplace(name, diff.transitions.size());
    if (added) diff.transitions.push_back({name, from, to, 0, {}});
    Transition& t = diff.transitions[it->second];
    ++t.count;
    if (t.examples.size() < examples) t.examples.push_back({message.text, was.text, now.text});
  }
  std::stable_sort(diff.transitions.begin(), diff.transitions.end(),
                   [](const Transition& a, const Transition& b) { return a.count > b.count; });
  return diff;
}

namespace {

// A reply of several lines, its later lines under its first.
std::string indented(const std::string& reply) {
  std::string out;
  for (const char c : reply) {
    out += c;
    if (c == '\n') out += "          ";
  }
  return out;
}

}  // namespace

void print_answer_diff(const AnswerDiff& diff, std::ostream& out) {
  out << diff.messages << " messages, " << diff.changed << " changed (" << std::fixed << std::setprecision(1)
      << 100.0 * diff.changed_share() << " %)\n";
  if (diff.transitions.empty()) return;
  out << "\n";
  for (const Transition& t : diff.transitions) out << std::setw(6) << t.count << "  " << t.name << "\n";
  for (const Transition& t : diff.transitions) {
    out << "\n" << t.name << " (" << t.count << ")\n";
    for (const ChangedAnswer& e : t.examples) {
      out << "  buyer:  " << e.text << "\n";
      if (e.before_reply != e.after_reply) {
        out << "  before: " << indented(e.before_reply) << "\n";
        out << "  after:  " << indented(e.after_reply) << "\n";
      }
    }
  }
}

std::string answer_diff_json(const AnswerDiff& diff) {
  nlohmann::json transitions = nlohmann::json::array();
  for (const Transition& t : diff.transitions) {
    nlohmann::json examples = nlohmann::json::array();
    for (const ChangedAnswer& e : t.examples) {
      examples.push_back({{"text", e.text}, {"before", e.before_reply}, {"after", e.after_reply}});
    }
    transitions.push_back(
        {{"transition", t.name}, {"before", t.before}, {"after", t.after}, {"count", t.count}, {"examples", examples}});
  }
  const nlohmann::json json = {{"messages", diff.messages}, {"changed", diff.changed}, {"transitions", transitions}};
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace xiaoer::tools
