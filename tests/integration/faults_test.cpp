// Faults against the real daemon (issue 5 item 4; SPEC 5; docs/operations.md
// "The journal"): kill -9 at random moments under load, the journal's disk
// filling up, a journal path that cannot be created, the gateway vanishing in
// client mode. After each: no ticket lost, no answered message answered
// differently on resend.
//
// XIAOER_FAULT_ROUNDS=N runs N kill -9 rounds (default 20), and
// XIAOER_FAULT_SEED=S replays the random kill moments of an earlier run.
#include "tests/integration/it_support.hpp"
#include "tests/integration/kill_rounds.hpp"

#include <sys/mount.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>

namespace xiaoer::it {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---- (a) kill -9 under load (the load and its checks: kill_rounds.hpp) --------

class FaultTest : public ItTest {};

TEST_F(FaultTest, KillNineAtRandomMomentsUnderLoadLosesNothing) {
  const KillPlan plan = kill_plan("[ faults   ]");
  const int rounds = plan.rounds;
  std::mt19937 random(plan.seed);
  DaemonConfig config;
  config.answered_window = 64;
  config.threads = 2;
  config.compact_after_mb = 1;  // rewrites happen during the rounds, and some are cut by the kill
  ASSERT_TRUE(start_with(config));

  LoadLog log;
  int survived = 0;
  TicketProblems problems;  // summed over the rounds
  ResendTally resends;
  const auto t0 = Clock::now();

  std::size_t checked_upto = 0;  // log.answered[0, checked_upto) compared already
  for (int round = 0; round < rounds; ++round) {
    std::atomic<bool> stop{false};
    const std::uint32_t load_seed = static_cast<std::uint32_t>(random());
    std::thread load([&, round, load_seed] { run_load(port(), round, load_seed, stop, log); });
    // Every fourth round outlives the daemon's once-a-second tick, so the
    // journal is rewritten under load and the kill may cut a rewrite.
    const std::uint32_t lifetime_ms = round % 4 == 3 ? 1000 + random() % 1000 : 80 + random() % 420;
    std::this_thread::sleep_for(std::chrono::milliseconds(lifetime_ms));
    daemon_->kill9();
    stop = true;
    load.join();
    ASSERT_FALSE(daemon_->running());
    std::string error;
    ASSERT_TRUE(daemon_->start(&error)) << "round " << round << ": no restart after kill -9: " << error;

    // Every ticket we were told of is there, unless an agent resolved it.
    const HttpResult list = tickets();
    ASSERT_EQ(list.status, 200) << list.error << list.body;
    const TicketProblems found = check_tickets(log, tickets_by_id(list), round);
    for (const std::string& problem : found.messages) ADD_FAILURE() << problem;
    problems += found;
    // Every answer received this round comes back byte for byte.
    const std::vector<Answered> batch = log.answered_since(&checked_upto);
    compare_resends(port(), batch, numbered("round ", round), resends);
    if (HasFatalFailure()) return;
    ++survived;
    // A guard against a hang, not a measure: a round is a start (about 1 s
    // under ASan with the shipped intents), up to 2 s of load and the checks.
    if (Clock::now() - t0 > std::chrono::seconds(3) * rounds) {
      ADD_FAILURE() << "the rounds take too long: " << survived << " done";
      break;
    }
  }
  // At the end, every answer of every round once more (each restart replayed
  // them all).
  compare_resends(port(), log.answered, "after the last round", resends);
  long compactions = 0;
  const std::string output = daemon_->log();
  for (std::size_t at = output.find("journal compacted"); at != std::string::npos;
       at = output.find("journal compacted", at + 1)) {
    ++compactions;
  }
  std::cout << "[ faults   ] rounds survived " << survived << "/" << rounds << ", journal rewrites " << compactions
            << ", messages sent " << log.sent
            << ", answers compared " << resends.compared << " (mismatched " << resends.mismatched
            << "), tickets checked " << log.tickets.size() << ", tickets lost " << problems.lost
            << ", resolved tickets back " << problems.resurrected << ", claims lost " << problems.claims_lost
            << ", held lines wrong " << problems.hold_lines_wrong << ", "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() << " ms\n";
  EXPECT_EQ(survived, rounds);
  EXPECT_EQ(problems.lost, 0);
  EXPECT_EQ(resends.mismatched, 0);
  EXPECT_GT(log.tickets.size(), 0u) << "the load opened no ticket: the test checked nothing";
  EXPECT_GT(resends.compared, 0);
}

// ---- (b) disk full ---------------------------------------------------------------

// A small tmpfs mounted for the test, unmounted (lazily, even if busy) when done.
class TmpfsMount {
 public:
  TmpfsMount(fs::path path, const std::string& options) : path_(std::move(path)) {
    std::error_code ec;
    fs::create_directories(path_, ec);
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  fs::path path_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the file system is full; the bytes written.
std::size_t fill(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  std::size_t total = 0;
  const std::string chunk(64 * 1024, 'f');
  for (std::size_t size : {std::size_t{65536}, std::size_t{4096}, std::size_t{512}, std::size_t{1}}) {
    for (;;) {
      const ssize_t n = ::write(fd, chunk.data(), size);
      if (n <= 0) break;
      total += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  return total;
}

TEST_F(FaultTest, DiskFullRefusesQueueChangesKeepsTheBotAndRecovers) {
  DaemonProcess& daemon = make();
  const fs::path mount_point = daemon.dir() / "jfs";
  TmpfsMount tmpfs(mount_point, "size=2m,mode=0755");
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs at " << mount_point << " (" << tmpfs.error()
                                     << "): run as root (or with CAP_SYS_ADMIN) to test a full disk";
  DaemonConfig config;
  config.journal_path = (mount_point / "journal.log").string();
  daemon.write_config(config);
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);

  // Before the disk fills: a waiting ticket, and one an agent will claim.
  const auto waiting = ask(*gw, "df-1", "full:wait", "转人工");
  ASSERT_TRUE(waiting);
  ASSERT_EQ((*waiting)["type"], "handoff") << waiting->dump();
  const std::string waiting_id = (*waiting)["ticket"];
  const auto to_claim = ask(*gw, "df-2", "full:claim", "转人工");
  ASSERT_TRUE(to_claim);
  ASSERT_EQ((*to_claim)["type"], "handoff") << to_claim->dump();
  const std::string claim_id = (*to_claim)["ticket"];
  const auto tiny = ask(*gw, "r", "c", "包邮吗");  // resent below, to fill the last bytes
  ASSERT_TRUE(tiny);

  const fs::path filler = mount_point / "filler";
  // Fills the disk. The journal's last page may still have room: bot traffic
  // uses it up (each reply still goes out) until the journal reports one
  // more failure.
  int bot = 0;
  double failures = 0;
  const auto fill_up = [&] {
    ASSERT_GT(fill(filler), 0u);
    failures = metric_sample(metrics(), "xiaoer_journal_failures_total").value_or(0);
    ASSERT_TRUE(wait_until(
        [&] {
          const auto reply = ask(*gw, numbered("df-bot-", bot), numbered("full:bot", bot), kBotQuestions[bot % 4]);
          ++bot;
          EXPECT_TRUE(reply && (*reply)["type"] == "reply") << (reply ? reply->dump() : "no answer");
          const double now = metric_sample(metrics(), "xiaoer_journal_failures_total").value_or(0);
          if (now <= failures) return false;
          failures = now;
          return true;
        },
        10s, 0ms))
        << "the journal never failed on a full disk (" << bot << " replies)";
  };

  // Handoffs refused in chats that will never resend: none may come back as
  // a ticket after a restart. The disk is emptied and filled again between
  // them, so that the room left in the journal's last page varies.
  constexpr int kRefused = 100;
  for (int i = 0; i < kRefused; ++i) {
    if (i > 0) {
      ASSERT_TRUE(fs::remove(filler));
      for (int j = 0; j <= i % 3; ++j) ask(*gw, numbered("df-shift-", i * 10 + j), "full:shift", kBotQuestions[(i + j) % 4]);
    }
    fill_up();
    if (HasFatalFailure()) return;
    const auto answer = ask(*gw, numbered("df-x", i), numbered("full:refused", i), "转人工");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->value("code", ""), "unavailable") << answer->dump();
  }

  // Now leave the journal no room even for the smallest record a queue
  // change writes (a claim, ~50 bytes): resend markers (~45 bytes) until one
  // fails.
  {
    failures = metric_sample(metrics(), "xiaoer_journal_failures_total").value_or(0);
    const std::string tiny = message_frame("r", "c", "包邮吗");
    int resends = 0;
    ASSERT_TRUE(wait_until(
        [&] {
          ++resends;
          EXPECT_TRUE(gw->send(tiny));
          EXPECT_TRUE(gw->read_answer("r").has_value());
          return metric_sample(metrics(), "xiaoer_journal_failures_total").value_or(0) > failures;
        },
        10s, 0ms))
        << "no resend marker failed after " << resends;
  }

  // A handoff is refused, clearly, and no ticket opens.
  const std::string handoff_frame = message_frame("df-3", "full:new", "转人工");
  ASSERT_TRUE(gw->send(handoff_frame));
  const auto refused = gw->read_answer("df-3");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["type"], "error") << refused->dump();
  EXPECT_EQ((*refused)["code"], "unavailable") << refused->dump();
  EXPECT_NE(refused->value("message", "").find("journal"), std::string::npos) << refused->dump();
  EXPECT_TRUE(daemon.wait_for_log("refused with 'unavailable'", 2s)) << "the log does not say why";
  // The bot keeps answering.
  const auto reply = ask(*gw, "df-4", "full:botafter", "包邮吗");
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["type"], "reply") << reply->dump();
  const std::string m = metrics();
  EXPECT_GT(metric_sample(m, "xiaoer_journal_failures_total").value_or(0), 0) << m;
  EXPECT_EQ(metric_sample(m, "xiaoer_queue_waiting"), 2.0) << m;
  EXPECT_EQ(tickets_by_id(tickets()).size(), 2u) << "a refused handoff left a ticket behind";

  // A buyer message for a waiting ticket and an agent's claim: refused too.
  const std::string hold_text = "还在吗 磁盘满了";
  const std::string hold_frame = message_frame("df-5", "full:wait", hold_text);
  ASSERT_TRUE(gw->send(hold_frame));
  const auto hold_refused = gw->read_answer("df-5");
  ASSERT_TRUE(hold_refused);
  EXPECT_EQ((*hold_refused)["type"], "error") << hold_refused->dump();
  EXPECT_EQ(hold_refused->value("code", ""), "unavailable") << hold_refused->dump();
  const HttpResult claim_refused =
      http_request(port(), http::verb::post, post_path(claim_id, "claim"), DaemonProcess::kAgentToken, R"({"agent":"li"})");
  EXPECT_EQ(claim_refused.status, 503) << claim_refused.body;

  // Space returns: the same frames now succeed, without a restart.
  ASSERT_TRUE(fs::remove(filler));
  ASSERT_TRUE(gw->send(handoff_frame));
  const auto handoff_text = gw->read_answer_text("df-3");
  ASSERT_TRUE(handoff_text);
  const json handoff = json::parse(*handoff_text);
  ASSERT_EQ(handoff["type"], "handoff") << *handoff_text;
  const std::string new_id = handoff["ticket"];
  ASSERT_TRUE(gw->send(hold_frame));
  const auto hold = gw->read_answer("df-5");
  ASSERT_TRUE(hold);
  EXPECT_EQ((*hold)["type"], "hold") << hold->dump();
  const HttpResult claim =
      http_request(port(), http::verb::post, post_path(claim_id, "claim"), DaemonProcess::kAgentToken, R"({"agent":"li"})");
  EXPECT_EQ(claim.status, 200) << "a claim refused while the disk was full cannot be retried: " << claim.body;

  // What the queue holds, before and after a kill -9: each change once.
  const auto check_queue = [&](const std::string& when) {
    const auto open = tickets_by_id(tickets());
    for (const auto& [id, t] : open) {
      const std::string chat = t.value("chat", "");
      EXPECT_TRUE(chat.rfind("full:refused", 0) == std::string::npos && (chat != "full:new" || id == new_id))
          << when << ": a handoff refused with 'unavailable' left ticket " << id << " behind: " << t.dump();
    }
    ASSERT_EQ(open.size(), 3u) << when;
    ASSERT_TRUE(open.count(new_id)) << when << ": the ticket opened after the disk recovered is missing";
    ASSERT_TRUE(open.count(waiting_id)) << when;
    ASSERT_TRUE(open.count(claim_id)) << when;
    EXPECT_EQ(open.at(new_id).value("chat", ""), "full:new") << when;
    EXPECT_EQ(transcript_count(open.at(new_id), "buyer", "转人工"), 1)
        << when << ": the refused attempt left its line in the new ticket: " << open.at(new_id).dump();
    EXPECT_EQ(transcript_count(open.at(waiting_id), "buyer", hold_text), 1)
        << when << ": the refused hold left its line in the ticket: " << open.at(waiting_id).dump();
    EXPECT_EQ(open.at(claim_id).value("state", ""), "claimed") << when << ": " << open.at(claim_id).dump();
  };
  check_queue("before the kill");
  daemon.kill9();
  ASSERT_TRUE(start());
  check_queue("after kill -9");
  auto again = gateway();
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->send(handoff_frame));
  const auto resent = again->read_answer_text("df-3");
  ASSERT_TRUE(resent);
  EXPECT_EQ(*resent, *handoff_text);
  gw.reset();  // no open client holds up the drain
  again.reset();
  daemon.stop();
}

// ---- (c) journal directory not writable ----------------------------------------

TEST_F(FaultTest, UnwritableJournalPathStopsTheStartWithAClearError) {
  DaemonProcess& daemon = make();
  const fs::path file = daemon.dir() / "file";
  {
    std::ofstream out(file);
    out << "a regular file, not a directory\n";
  }
  const fs::path directory = daemon.dir() / "adir";
  fs::create_directories(directory);
  struct Case {
    std::string name;
    fs::path journal;
    std::string named;  // what the error must mention
  };
  const std::vector<Case> cases = {
      {"a path under a regular file", file / "journal.log", file.string()},
      {"a path that is a directory", directory, directory.string()},
  };
  for (const auto& c : cases) {
    DaemonConfig config;
    config.journal_path = c.journal.string();
    daemon.write_config(config);
    const std::size_t from = daemon.log().size();
    const auto t0 = Clock::now();
    std::string error;
    EXPECT_FALSE(daemon.start(&error, {}, 5000ms)) << c.name << ": the daemon started";
    const auto took = Clock::now() - t0;
    const auto status = daemon.last_exit_status();
    ASSERT_TRUE(status.has_value()) << c.name;
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0)
        << c.name << ": wait status " << *status << " (a clean non-zero exit expected, not a signal)";
    EXPECT_LT(took, 3s) << c.name;
    const std::string out = daemon.log().substr(from);
    EXPECT_NE(out.find(c.named), std::string::npos) << c.name << ": the error does not name " << c.named << ":\n" << out;
    EXPECT_NE(out.find("journal"), std::string::npos) << c.name << ":\n" << out;
    EXPECT_EQ(out.find("listening on"), std::string::npos) << c.name << ": it listened before failing:\n" << out;
  }
}

// ---- (d) the gateway vanishes in client mode --------------------------------------

TEST_F(FaultTest, GatewayVanishingInClientModeLosesAndDuplicatesNoAnswer) {
  TestGateway server;
  DaemonConfig config;
  config.mode = "client";
  config.url = numbered("ws://127.0.0.1:", server.port()).append("/ws");
  config.reconnect_min_ms = 50;
  config.reconnect_max_ms = 200;
  ASSERT_TRUE(start_with(config));
  auto first = server.accept(5000ms);
  ASSERT_TRUE(first) << "the daemon did not dial";

  constexpr int kMessages = 12;
  std::vector<std::string> frames;
  for (int i = 0; i < kMessages; ++i) {
    const std::string text = i == 3 ? "转人工" : kBotQuestions[i % 4 == 3 ? 0 : i % 4];
    frames.push_back(message_frame(numbered("v-", i), numbered("vanish:", i), text));
  }
  // The first half answered and read; the second half sent, then the gateway
  // goes: connection cut, port closed.
  std::map<std::string, std::string> before;
  for (int i = 0; i < kMessages / 2; ++i) ASSERT_TRUE(first->send(frames[i]));
  for (int i = 0; i < kMessages / 2; ++i) {
    const std::string id = numbered("v-", i);
    const auto answer = first->read_answer_text(id);
    ASSERT_TRUE(answer) << id;
    before[id] = *answer;
  }
  const std::string ticket = json::parse(before["v-3"])["ticket"];
  for (int i = kMessages / 2; i < kMessages; ++i) ASSERT_TRUE(first->send(frames[i]));
  const std::size_t log_from = daemon_->log().size();
  server.pause();
  first->drop();

  // While it is away (~1 s): the daemon's dials are refused; an agent answers
  // the ticket (the push waits in the outbox).
  const auto away = Clock::now();
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_connections{role=\"gateway\"}") == 0.0; }, 3s));
  ASSERT_EQ(http_request(port(), http::verb::post, post_path(ticket, "claim"), DaemonProcess::kAgentToken,
                         R"({"agent":"li"})")
                .status,
            200);
  ASSERT_EQ(http_request(port(), http::verb::post, post_path(ticket, "send"), DaemonProcess::kAgentToken,
                         R"({"agent":"li","text":"亲，网关回来了吗"})")
                .status,
            200);
  std::this_thread::sleep_for(1000ms - (Clock::now() - away));
  EXPECT_TRUE(daemon_->wait_for_log("dialling again", 1000ms, log_from)) << "no refused dial while the gateway was away";
  ASSERT_TRUE(server.resume()) << "could not listen on port " << server.port() << " again";
  auto second = server.accept(5000ms);
  ASSERT_TRUE(second) << "the daemon did not dial again once the gateway was back";

  // The gateway resends every message (answered or not).
  for (const auto& f : frames) ASSERT_TRUE(second->send(f));
  std::map<std::string, std::vector<std::string>> answers;
  std::vector<std::string> pushes;
  const auto collect = [&](Millis timeout) {
    while (const auto frame = second->read_text(timeout)) {
      const json parsed = json::parse(*frame);
      if (parsed.contains("in_reply_to")) {
        answers[parsed["in_reply_to"]].push_back(*frame);
      } else {
        pushes.push_back(*frame);
      }
      if (answers.size() == static_cast<std::size_t>(kMessages) && !pushes.empty()) return;
    }
  };
  collect(5000ms);
  collect(700ms);  // and nothing more comes
  for (int i = 0; i < kMessages; ++i) {
    const std::string id = numbered("v-", i);
    ASSERT_EQ(answers[id].size(), 1u) << id << " answered " << answers[id].size() << " times";
    if (before.count(id)) {
      EXPECT_EQ(answers[id][0], before[id]) << id << " answered differently after the outage";
    }
    const std::string type = json::parse(answers[id][0])["type"];
    EXPECT_TRUE(type == "reply" || type == "handoff") << answers[id][0];
  }
  ASSERT_EQ(pushes.size(), 1u) << "the agent's reply made during the outage";
  EXPECT_EQ(json::parse(pushes[0])["text"], "亲，网关回来了吗");
  // Each message was processed once, whichever connection its answer took.
  const std::string m = metrics();
  EXPECT_EQ(metric_family_sum(m, "xiaoer_messages_total"), static_cast<double>(kMessages)) << m;
  EXPECT_EQ(metric_sample(m, "xiaoer_handoffs_total{reason=\"asked_for_human\"}"), 1.0) << m;
  EXPECT_EQ(tickets_by_id(tickets()).size(), 1u);
}

}  // namespace
}  // namespace xiaoer::it
