#include "daemon/engine/example_check.hpp"

#include <algorithm>

namespace xiaoer::engine {
namespace {

std::string describe(const Outcome& outcome) {
  if (outcome.intents.empty()) return "none";
  std::string out;
  for (const std::string& name : outcome.intents) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

ExampleReport check_examples(const Engine& engine) {
  ExampleReport report;
  const nlu::Context fresh;
  for (const nlu::Intent& intent : engine.intent_set().intents()) {
    for (const bool wanted : {true, false}) {
      for (const nlu::SourceText& example : wanted ? intent.examples : intent.not_examples) {
        const Outcome outcome = engine.respond(example.text, fresh, "default");
        const bool chose = std::find(outcome.intents.begin(), outcome.intents.end(), intent.name) !=
                           outcome.intents.end();
        if (chose == wanted) {
          ++report.passed;
          continue;
        }
        ++report.failed;
        report.failures.push_back(
            {example.where, std::string(wanted ? "example" : "not_example") + " '" + example.text + "' chose " +
                                describe(outcome) + (wanted ? ", expected " : ", must not choose ") + intent.name});
      }
    }
  }
  return report;
}

}  // namespace xiaoer::engine
