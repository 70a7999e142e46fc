// The Grafana dashboard (deploy/grafana/xiaoerd.json) and the Prometheus
// alert rules (deploy/prometheus/xiaoerd-alerts.yml) against a real daemon:
// after traffic of every kind (a reply, an unrecognised message, a handoff
// and its courtesy notice, an agent, a reload), every xiaoer_* metric they
// query is in its /metrics, and every label they select or group by is on
// that metric. A renamed metric or label fails here, not on a blank panel.
#include "tests/integration/it_support.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace xiaoer::it {
namespace {

using namespace std::chrono_literals;

const std::string kSourceDir = XIAOER_SOURCE_DIR;

// Labels Prometheus adds at scrape time, and the histogram's bucket bound.
bool scrape_label(const std::string& label) { return label == "instance" || label == "job" || label == "le"; }

// The exposition's samples by metric name: each name with the label=value
// pairs its samples carry ("" for an unlabelled sample).
std::map<std::string, std::set<std::string>> samples_by_name(const std::string& metrics) {
  std::map<std::string, std::set<std::string>> out;
  std::istringstream in(metrics);
  std::string line;
  static const std::regex kPair(R"re(([a-zA-Z_]+)="([^"]*)")re");
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t end = line.find_first_of("{ ");
    if (end == std::string::npos) continue;
    std::set<std::string>& pairs = out[line.substr(0, end)];
    if (line[end] != '{') continue;
    const std::string labels = line.substr(end, line.find('}') - end);
    for (std::sregex_iterator it(labels.begin(), labels.end(), kPair), stop; it != stop; ++it) {
      pairs.insert((*it)[1].str() + "=" + (*it)[2].str());
      pairs.insert((*it)[1].str() + "=*");
    }
  }
  return out;
}

// Checks one PromQL expression against the samples; `where` names it in
// failures.
void expect_served(const std::string& expr, const std::map<std::string, std::set<std::string>>& samples,
                   const std::string& where) {
  static const std::regex kSelector(R"re((xiaoer_[a-z0-9_]+)(\{([^}]*)\})?)re");
  static const std::regex kMatcher(R"re(([a-zA-Z_]+)\s*(=~|!=|!~|=)\s*"([^"]*)")re");
  static const std::regex kGrouping(R"re(\b(?:by|without)\s*\(([^)]*)\))re");
  std::vector<std::string> names;
  for (std::sregex_iterator it(expr.begin(), expr.end(), kSelector), stop; it != stop; ++it) {
    const std::string name = (*it)[1];
    names.push_back(name);
    const auto found = samples.find(name);
    if (found == samples.end()) {
      ADD_FAILURE() << where << ": " << name << " is not in /metrics (" << expr << ")";
      continue;
    }
    const std::string matchers = (*it)[3];
    for (std::sregex_iterator m(matchers.begin(), matchers.end(), kMatcher); m != stop; ++m) {
      const std::string label = (*m)[1];
      if (scrape_label(label)) continue;
      const std::string wanted = (*m)[2] == "=" ? label + "=" + (*m)[3].str() : label + "=*";
      EXPECT_TRUE(found->second.count(wanted)) << where << ": no " << name << " sample with " << wanted << " (" << expr
                                               << ")";
    }
  }
  EXPECT_FALSE(names.empty() && expr.find("up{") == std::string::npos) << where << ": queries no xiaoer metric: " << expr;
  for (std::sregex_iterator g(expr.begin(), expr.end(), kGrouping), stop; g != stop; ++g) {
    std::istringstream labels((*g)[1].str());
    std::string label;
    while (std::getline(labels, label, ',')) {
      label.erase(0, label.find_first_not_of(' '));
      label.erase(label.find_last_not_of(' ') + 1);
      if (label.empty() || scrape_label(label)) continue;
      bool on_a_metric = false;
      for (const std::string& name : names) {
        const auto found = samples.find(name);
        on_a_metric = on_a_metric || (found != samples.end() && found->second.count(label + "=*"));
      }
      EXPECT_TRUE(on_a_metric) << where << ": groups by " << label << ", which no metric it reads has (" << expr << ")";
    }
  }
}

class DashboardTest : public ItTest {
 protected:
  // Traffic of every kind, then the daemon's /metrics.
  std::string metrics_after_traffic() {
    DaemonConfig config;
    config.notice_after_s = 1;
    if (!start_with(config)) return "";
    auto gw = gateway();
    auto li = agent("li");
    if (!gw || !li) return "";
    const auto reply = ask(*gw, "d-1", "shop7:d1", "发什么快递");
    EXPECT_TRUE(reply && (*reply)["type"] == "reply");
    const auto unknown = ask(*gw, "d-2", "shop7:d2", "嗯嗯嗯");
    EXPECT_TRUE(unknown.has_value());
    const auto handoff = ask(*gw, "d-3", "shop7:d3", "转人工");
    EXPECT_TRUE(handoff && (*handoff)["type"] == "handoff");
    EXPECT_TRUE(gw->read_type("notice", 3500ms)) << "no courtesy notice";
    // An agent takes the ticket and answers it (the console's metrics).
    const std::string ticket = handoff ? (*handoff)["ticket"].get<std::string>() : "";
    EXPECT_TRUE(li->send(R"({"type":"claim","request_id":"d-claim","ticket":")" + ticket + R"("})"));
    EXPECT_TRUE(li->read_type("ok"));
    EXPECT_TRUE(li->send(R"({"type":"send","request_id":"d-send","ticket":")" + ticket + R"(","text":"您好"})"));
    EXPECT_TRUE(li->read_type("ok"));
    daemon_->signal(SIGHUP);
    EXPECT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_reloads_total{result=\"ok\"}") == 1.0; }, 5000ms));
    return metrics();
  }
};

TEST_F(DashboardTest, EveryMetricTheDashboardQueriesIsServed) {
  const json dashboard = json::parse(read_file(kSourceDir + "/deploy/grafana/xiaoerd.json"), nullptr, false);
  ASSERT_FALSE(dashboard.is_discarded()) << "deploy/grafana/xiaoerd.json is not JSON";
  // What an import needs: a title and uid, panels with ids, places and
  // queries on the dashboard's datasource variable.
  ASSERT_TRUE(dashboard.contains("uid") && dashboard.contains("title") && dashboard.contains("schemaVersion"));
  bool has_datasource_variable = false;
  for (const json& variable : dashboard["templating"]["list"]) {
    has_datasource_variable = has_datasource_variable || (variable["name"] == "datasource" && variable["type"] == "datasource");
  }
  EXPECT_TRUE(has_datasource_variable);
  std::vector<std::pair<std::string, std::string>> queries;  // panel title, expr
  std::set<int> ids;
  for (const json& panel : dashboard["panels"]) {
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "two panels with id " << panel["id"];
    EXPECT_TRUE(panel.contains("gridPos")) << panel["title"];
    if (panel["type"] == "row") continue;
    EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
    ASSERT_FALSE(panel["targets"].empty()) << panel["title"];
    for (const json& target : panel["targets"]) queries.emplace_back(panel["title"], target["expr"]);
  }
  for (const json& annotation : dashboard["annotations"]["list"]) {
    if (annotation.contains("expr")) queries.emplace_back("annotation " + annotation["name"].get<std::string>(), annotation["expr"]);
  }
  ASSERT_GE(queries.size(), 20u);

  const std::string metrics = metrics_after_traffic();
  ASSERT_FALSE(HasFatalFailure());
  const auto samples = samples_by_name(metrics);
  for (const auto& [title, expr] : queries) expect_served(expr, samples, "panel '" + title + "'");
  if (HasFailure()) std::cerr << "---- /metrics ----\n" << metrics;
}

TEST_F(DashboardTest, EveryMetricTheAlertRulesQueryIsServed) {
  const YAML::Node rules = YAML::LoadFile(kSourceDir + "/deploy/prometheus/xiaoerd-alerts.yml");
  std::vector<std::pair<std::string, std::string>> alerts;  // name, expr
  for (const YAML::Node& group : rules["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      ASSERT_TRUE(rule["alert"] && rule["expr"] && rule["labels"]["severity"] && rule["annotations"]["summary"]);
      alerts.emplace_back(rule["alert"].as<std::string>(), rule["expr"].as<std::string>());
    }
  }
  ASSERT_GE(alerts.size(), 5u);
  const std::string metrics = metrics_after_traffic();
  ASSERT_FALSE(HasFatalFailure());
  const auto samples = samples_by_name(metrics);
  for (const auto& [name, expr] : alerts) expect_served(expr, samples, "alert " + name);
}

}  // namespace
}  // namespace xiaoer::it
