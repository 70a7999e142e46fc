// Hostile clients against the real daemon (issue 5 item 3; SPEC 8;
// docs/protocol.md §6): huge and deeply nested frames, a peer that never
// reads, slowloris on the upgrade, thousands of connections dropped at every
// stage, a 5,000-message flood. After each case a new client gets a normal
// reply and a bystander connection opened before it still answers.
// (Binary frames, invalid UTF-8, 1009 over frame_bytes, the per-chat rate,
// missing/wrong/query tokens are in daemon_test.cpp.)
#include "tests/integration/it_support.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <random>
#include <set>

namespace xiaoer::it {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace http = boost::beast::http;

// Growth allowed for any one case. Under AddressSanitizer freed memory waits
// in a quarantine (up to 256 MiB) and every allocation carries redzones, so
// RSS measures the sanitizer, not the daemon: the bound is checked in the
// plain build only (the sanitizer build checks the same cases for errors).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif
constexpr long kRssBoundKb = 64 * 1024;

class HostileTest : public ItTest {
 protected:
  long rss_now() {
    const auto rss = daemon_rss_kb();
    EXPECT_TRUE(rss.has_value()) << "no VmRSS for pid " << daemon_->pid();
    return rss.value_or(0);
  }

  void expect_rss_bounded(long before_kb, const std::string& tag) {
    const long after = rss_now();
    std::cout << "[ rss      ] " << tag << ": " << before_kb << " KiB before, " << after << " KiB after\n";
    if (kRssIsMeaningful) {
      EXPECT_LT(after - before_kb, kRssBoundKb) << tag << ": RSS grew from " << before_kb << " to " << after << " KiB";
    }
  }

  // Upgrades `peer` to a gateway websocket with a small receive window;
  // after the 101 the test reads nothing from it.
  void open_gateway_that_never_reads(RawConn& peer) {
    ASSERT_TRUE(peer.connect(port(), 3s, /*receive_buffer=*/4096));
    ASSERT_EQ(peer.send_all(upgrade_request(port(), "/v1/gateway", DaemonProcess::kGatewayToken)), RawConn::Io::kOk);
    std::string response;
    ASSERT_EQ(peer.read_until("\r\n\r\n", &response), RawConn::Io::kOk) << response;
    ASSERT_EQ(response.rfind("HTTP/1.1 101", 0), 0u) << response;
  }

  double gateway_connections() {
    return metric_sample(metrics(), "xiaoer_connections{role=\"gateway\"}").value_or(-1);
  }
};

// A 10 MB frame, whole or in 64 KiB fragments: the daemon refuses it at the
// frame header (or once the fragments pass frame_bytes) without buffering it,
// and closes with 1009.
TEST_F(HostileTest, TenMegabyteFrameIsClosedWithoutBufferingIt) {
  ASSERT_TRUE(start());
  open_bystander();
  const long before = rss_now();
  const std::string huge = message_frame("huge-1", "hostile:huge", std::string(10 << 20, 'a'));

  {
    auto client = gateway();
    ASSERT_TRUE(client);
    client->send(huge, 10s);  // may fail midway: the daemon closes as soon as it sees the length
    const auto code = client->wait_closed(5s);
    ASSERT_TRUE(code.has_value()) << "a 10 MB frame did not close the connection";
    // 1006: the close frame was lost to the reset of our unfinished write.
    EXPECT_TRUE(*code == 1009 || *code == 1006) << *code;
  }
  expect_unaffected("huge");
  {
    auto client = gateway();
    ASSERT_TRUE(client);
    client->send_fragmented(huge, 64 * 1024, 10s);
    const auto code = client->wait_closed(5s);
    ASSERT_TRUE(code.has_value()) << "a 10 MB message in fragments did not close the connection";
    EXPECT_TRUE(*code == 1009 || *code == 1006) << *code;
  }
  expect_unaffected("huge-fragmented");
  expect_rss_bounded(before, "10 MB frames");
}

// 100,000 levels of nesting (arrays, objects, unterminated): bad_json, no
// stack overflow, the connection stays open.
TEST_F(HostileTest, DeeplyNestedJsonIsBadJsonAndNoCrash) {
  DaemonConfig config;
  config.frame_bytes = 1 << 20;  // let the 600 KB frames through to the parser
  ASSERT_TRUE(start_with(config));
  open_bystander();
  auto client = gateway();
  ASSERT_TRUE(client);

  constexpr int kDepth = 100000;
  std::string objects;
  for (int i = 0; i < kDepth; ++i) objects += "{\"a\":";
  objects += "1";
  objects.append(kDepth, '}');
  std::string in_message = R"({"type":"message","id":"deep-4","chat":"hostile:deep","text":"hi","meta":)";
  in_message.append(kDepth - 2, '[');
  in_message.append(kDepth - 2, ']');
  in_message += "}";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"arrays", std::string(kDepth, '[') + std::string(kDepth, ']')},
      {"objects", objects},
      {"unterminated", std::string(kDepth, '[')},
      {"inside a message", in_message},
  };
  for (const auto& [name, frame] : cases) {
    ASSERT_TRUE(client->send(frame, 10s)) << name;
    const auto answer = client->read_json(10s);
    ASSERT_TRUE(answer) << name << ": no answer (" << client->end_reason() << "); daemon running: " << daemon_->running();
    EXPECT_EQ((*answer)["type"], "error") << name << ": " << answer->dump();
    EXPECT_EQ((*answer)["code"], "bad_json") << name << ": " << answer->dump();
    EXPECT_NE((*answer).value("message", "").find("nesting"), std::string::npos) << name << ": " << answer->dump();
  }
  // Exactly 64 levels is allowed (docs/protocol.md §2); 65 is not.
  std::string ok_depth = R"({"type":"message","id":"deep-5","chat":"hostile:deep","text":"发什么快递","meta":{"x":)";
  ok_depth.append(62, '[');
  ok_depth.append(62, ']');
  ok_depth += "}}";
  ASSERT_TRUE(client->send(ok_depth));
  const auto ok = client->read_answer("deep-5");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["type"], "reply") << ok->dump();

  EXPECT_TRUE(client->is_open());
  const auto after = ask(*client, "deep-6", "hostile:deep", "发什么快递");
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)["type"], "reply");
  expect_unaffected("deep");
}

// A gateway that sends and sends but never reads a frame: from half of
// limits.outbound_frames queued answers the daemon reads no more from it,
// closes it once it has taken no frame for limits.handshake_timeout_s, and
// its memory stays bounded meanwhile.
TEST_F(HostileTest, ClientThatNeverReadsIsClosedAndMemoryStaysBounded) {
  DaemonConfig config;
  config.outbound_frames = 64;
  ASSERT_TRUE(start_with(config));
  open_bystander();
  const long before = rss_now();
  const std::size_t log_from = daemon_->log().size();

  RawConn peer;
  ASSERT_NO_FATAL_FAILURE(open_gateway_that_never_reads(peer));

  // Answers of every kind: replies (journaled), errors (answered at once).
  const std::string padding(200, 'p');
  long sent = 0;
  long peak = before;
  bool closed = false;
  // The close comes once the loopback's buffers (megabytes, autotuned) are
  // full and the daemon has held the peer back for handshake_timeout_s;
  // a loaded -j2 run once sent 29,650 frames in 25 s without filling them.
  // A bound, not a speed.
  const auto deadline = Clock::now() + 60s;
  while (Clock::now() < deadline) {
    std::string batch;
    for (int i = 0; i < 50; ++i, ++sent) {
      if (sent % 4 == 0) {
        batch += client_frame(message_frame(numbered("nr-", sent), numbered("hostile:nr", sent % 97), "发什么快递"));
      } else {
        std::string id = numbered("nr-", sent);
        id.append(padding);
        batch += client_frame(R"({"type":"message","id":")" + id + R"(","chat":"hostile:nr"})");
      }
    }
    const RawConn::Io io = peer.send_all(batch, 2s);
    if (io == RawConn::Io::kClosed) {
      closed = true;
      break;
    }
    if (sent % 2000 == 0) peak = std::max(peak, rss_now());
    if (io == RawConn::Io::kTimeout && peer.peer_closed()) {
      closed = true;
      break;
    }
  }
  peak = std::max(peak, rss_now());
  std::cout << "[ never-rd ] " << sent << " frames sent before the close; RSS peak " << peak << " KiB (from " << before
            << ")\n";
  EXPECT_TRUE(closed) << "a client that never reads was not closed after " << sent << " frames";
  EXPECT_TRUE(daemon_->wait_for_log("does not read its frames", 3s, log_from)) << "no log line about the slow reader";
  if (kRssIsMeaningful) {
    EXPECT_LT(peak - before, kRssBoundKb) << "RSS peak " << peak << " KiB from " << before;
  }
  peer.close();
  EXPECT_TRUE(wait_until([&] { return gateway_connections() == 1.0; }, 5s)) << metrics();
  expect_rss_bounded(before, "never reads");
  expect_unaffected("never-reads");
}

// A gateway that reads every frame at once, against a daemon that is behind:
// a burst of 600 messages comes back from the journal in group commits of
// many answers, far more than limits.outbound_frames (16) at a time. Before,
// the queue's limit closed it as a peer that does not read (all 100
// gateways of bench step c at 20,000 msg/s); now the daemon reads no more
// from it until the queue is short, and answers everything.
TEST_F(HostileTest, AGatewayThatReadsIsNotClosedWhileTheDaemonIsBehind) {
  DaemonConfig config;
  config.outbound_frames = 16;
  ASSERT_TRUE(start_with(config));
  const std::size_t log_from = daemon_->log().size();
  auto client = gateway();
  ASSERT_TRUE(client);
  constexpr int kBurst = 600;
  for (int i = 0; i < kBurst; ++i) {
    // A chat each: the per-chat rate limit answers nothing here.
    ASSERT_TRUE(client->send(message_frame(numbered("burst-", i), numbered("hostile:burst", i), "发什么快递")));
  }
  std::set<std::string> answered;
  const auto deadline = Clock::now() + 20s;
  while (answered.size() < static_cast<std::size_t>(kBurst) && Clock::now() < deadline) {
    const auto frame = client->read_json(5s);
    if (!frame) break;
    if (frame->contains("in_reply_to")) answered.insert((*frame)["in_reply_to"].get<std::string>());
  }
  EXPECT_EQ(answered.size(), static_cast<std::size_t>(kBurst)) << metrics();
  EXPECT_TRUE(client->is_open()) << client->end_reason();
  EXPECT_FALSE(daemon_->wait_for_log("does not read its frames", 0ms, log_from));
}

// A peer that sends a little, pauses, and never reads: the daemon's read is
// pending whenever the journal delivers answers, so the queue overflows with
// a read and a write both in flight. The close must still end within
// limits.handshake_timeout_s, and frames read after it are not processed.
TEST_F(HostileTest, PausingPeerThatNeverReadsIsCutWithinTheCloseDeadline) {
  DaemonConfig config;
  config.outbound_frames = 16;
  config.handshake_timeout_s = 1;
  ASSERT_TRUE(start_with(config));
  const std::size_t log_from = daemon_->log().size();

  RawConn peer;
  ASSERT_NO_FATAL_FAILURE(open_gateway_that_never_reads(peer));

  long sent = 0;
  bool overflowed = false;
  // The queue overflows once the socket buffers hold ~14,000 answers: on
  // the Redis store under a loaded CI host (about 1,400 commits a second),
  // 10 s or more.
  const auto deadline = Clock::now() + 30s;
  while (!overflowed && Clock::now() < deadline) {
    std::string batch;
    // Fewer than outbound_frames a batch: only a stalled write overflows the
    // queue, and the pause lets the daemon read it all and wait for more.
    for (int i = 0; i < 12; ++i, ++sent) {
      batch += client_frame(message_frame(numbered("pause-", sent), numbered("hostile:pause", sent % 499), "发什么快递"));
    }
    if (peer.send_all(batch, 2s) != RawConn::Io::kOk) break;
    overflowed = daemon_->wait_for_log("does not read its frames", 5ms, log_from);
  }
  ASSERT_TRUE(overflowed) << "the outbound queue never overflowed after " << sent << " messages\n" << metrics();
  const auto overflow_at = Clock::now();
  // The peer's window is closed, so no FIN or reset need reach it: the
  // daemon's own count says when it let the connection go.
  EXPECT_TRUE(wait_until([&] { return gateway_connections() == 0.0; }, 4s))
      << "the connection was still held 4 s after the overflow (close deadline 1 s)\n"
      << metrics();
  std::cout << "[ pausing  ] overflow after " << sent << " messages; cut after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - overflow_at).count() << " ms\n";
  peer.close();
  expect_unaffected("pausing-never-reads");
}

// Slowloris: upgrade requests dribbled one byte every 200 ms. With
// limits.handshake_timeout_s 1 each is closed within ~2 s, and the daemon
// keeps serving meanwhile.
TEST_F(HostileTest, SlowlorisUpgradeIsCutAtTheHandshakeTimeout) {
  DaemonConfig config;
  config.handshake_timeout_s = 1;
  ASSERT_TRUE(start_with(config));
  open_bystander();

  constexpr int kPeers = 20;
  const std::string request = upgrade_request(port(), "/v1/gateway", DaemonProcess::kGatewayToken);
  std::vector<RawConn> peers(kPeers);
  std::vector<std::optional<Clock::duration>> closed_after(kPeers);
  for (auto& p : peers) ASSERT_TRUE(p.connect(port()));
  const auto t0 = Clock::now();
  std::size_t offset = 0;
  bool served_meanwhile = false;
  while (Clock::now() - t0 < 4s) {
    int open = 0;
    for (int i = 0; i < kPeers; ++i) {
      if (closed_after[i]) continue;
      std::string ignored;
      const bool gone = peers[i].send_all(std::string_view(request).substr(offset % request.size(), 1), 200ms) ==
                            RawConn::Io::kClosed ||
                        peers[i].wait_closed(0ms, &ignored) == RawConn::Io::kClosed;
      if (gone) {
        closed_after[i] = Clock::now() - t0;
      } else {
        ++open;
      }
    }
    ++offset;
    if (open == 0) break;
    if (!served_meanwhile && Clock::now() - t0 > 500ms) {
      // While they dribble, others are served.
      served_meanwhile = true;
      const auto answer = ask(*bystander_, "slow-during", "bystander:chat", "发什么快递");
      ASSERT_TRUE(answer);
      EXPECT_EQ((*answer)["type"], "reply");
      EXPECT_EQ(http_request(port(), http::verb::get, "/healthz").status, 200);
    }
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_LT(offset, request.size()) << "the whole request went through: the test is too slow to show anything";
  for (int i = 0; i < kPeers; ++i) {
    ASSERT_TRUE(closed_after[i].has_value()) << "slowloris peer " << i << " still open after 4 s";
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*closed_after[i]).count();
    EXPECT_LE(ms, 2300) << "peer " << i << " closed after " << ms << " ms (handshake_timeout_s 1)";
    EXPECT_GE(ms, 700) << "peer " << i << " closed after " << ms << " ms: before the timeout";
  }
  expect_unaffected("slowloris");
}

// 2,000 TCP connections opened and dropped at every stage: at once, by RST,
// mid-request, right after the upgrade, after a frame without reading the
// answer. Afterwards the gauges and the daemon's descriptors are back to
// where they were, and it serves normally.
TEST_F(HostileTest, TwoThousandConnectionsOpenedAndDroppedLeaveNothingBehind) {
  ASSERT_TRUE(start());
  open_bystander();
  const long fds_before = open_fds(daemon_->pid());
  const long before = rss_now();
  ASSERT_EQ(gateway_connections(), 1.0);

  const std::string upgrade = upgrade_request(port(), "/v1/gateway", DaemonProcess::kGatewayToken);
  const std::string half = upgrade.substr(0, upgrade.size() / 2);
  const std::string frame = client_frame(message_frame("drop-1", "hostile:drop", "发什么快递"));
  constexpr int kTotal = 2000;
  constexpr int kBatch = 100;
  int connected = 0;
  const auto t0 = Clock::now();
  for (int base = 0; base < kTotal; base += kBatch) {
    std::vector<RawConn> batch(kBatch);
    for (int j = 0; j < kBatch; ++j) {
      ASSERT_TRUE(batch[j].connect(port())) << "connection " << base + j;
      ++connected;
      switch ((base + j) % 6) {
        case 0:  // nothing sent
          break;
        case 1:  // half a request
        case 2:
          batch[j].send_all(half, 1s);
          break;
        case 3:  // upgraded, never read
          batch[j].send_all(upgrade, 1s);
          break;
        case 4:  // upgraded, one message, its answer never read
        case 5:
          batch[j].send_all(upgrade + frame, 1s);
          break;
      }
    }
    // Give the upgrades a moment to land, then drop them all.
    std::this_thread::sleep_for(20ms);
    for (int j = 0; j < kBatch; ++j) {
      if ((base + j) % 2 == 0) {
        batch[j].reset();
      } else {
        batch[j].close();
      }
    }
  }
  std::cout << "[ churn    ] " << connected << " connections in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() << " ms\n";
  EXPECT_EQ(connected, kTotal);

  EXPECT_TRUE(wait_until([&] { return gateway_connections() == 1.0; }, 10s)) << metrics();
  EXPECT_EQ(metric_sample(metrics(), "xiaoer_connections{role=\"agent\"}"), 0.0);
  long fds_after = 0;
  EXPECT_TRUE(wait_until(
      [&] {
        fds_after = open_fds(daemon_->pid());
        return fds_after <= fds_before + 2;
      },
      10s))
      << "the daemon holds " << fds_after << " descriptors, " << fds_before << " before the churn";
  expect_rss_bounded(before, "2000 connections");
  expect_unaffected("churn");
}

// 5,000 messages over 500 chats on one connection, pipelined, with the
// default rate limit (5/s, burst 10): every id gets exactly one answer, a
// reply or rate_limited, none lost, none doubled.
TEST_F(HostileTest, FloodOfFiveThousandMessagesGetsExactlyOneAnswerEach) {
  DaemonConfig config;
  config.messages_per_second = 5;
  config.burst = 10;
  ASSERT_TRUE(start_with(config));
  open_bystander();
  const long before = rss_now();
  auto client = gateway();
  ASSERT_TRUE(client);

  constexpr int kMessages = 5000;
  constexpr int kChats = 500;
  constexpr int kInFlight = 256;  // well under outbound_frames (1024)
  const std::vector<std::string> texts = {"发什么快递", "包邮吗", "能开发票吗", "什么时候发货"};
  std::mt19937 random(20240605);
  std::uniform_int_distribution<int> pick_chat(0, kChats - 1);
  std::map<std::string, std::vector<std::string>> answers;  // id -> answer kinds
  int pending = 0;
  std::vector<json> strays;
  const auto read_one = [&]() -> bool {
    const auto frame = client->read_json(10s);
    if (!frame) return false;
    if (!frame->contains("in_reply_to")) {
      strays.push_back(*frame);
      return true;
    }
    const std::string id = (*frame)["in_reply_to"];
    const std::string kind =
        (*frame)["type"] == "error" ? "error:" + frame->value("code", "") : (*frame)["type"].get<std::string>();
    answers[id].push_back(kind);
    --pending;
    return true;
  };
  const auto t0 = Clock::now();
  for (int i = 0; i < kMessages; ++i) {
    while (pending >= kInFlight) ASSERT_TRUE(read_one()) << "stalled with " << pending << " unanswered";
    const std::string chat = numbered("flood:", pick_chat(random));
    ASSERT_TRUE(client->send(message_frame(numbered("fl-", i), chat, texts[static_cast<std::size_t>(i) % texts.size()])));
    ++pending;
  }
  while (pending > 0) ASSERT_TRUE(read_one()) << pending << " messages unanswered";
  // Nothing more comes: no second answers.
  while (client->read_text(500ms)) ADD_FAILURE() << "a frame after the last answer";
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();

  int replies = 0;
  int limited = 0;
  for (int i = 0; i < kMessages; ++i) {
    const auto it = answers.find(numbered("fl-", i));
    ASSERT_NE(it, answers.end()) << "fl-" << i << " got no answer";
    ASSERT_EQ(it->second.size(), 1u) << "fl-" << i << " got " << it->second.size() << " answers";
    const std::string& kind = it->second.front();
    EXPECT_TRUE(kind == "reply" || kind == "error:rate_limited") << "fl-" << i << ": " << kind;
    replies += kind == "reply";
    limited += kind == "error:rate_limited";
  }
  EXPECT_EQ(answers.size(), static_cast<std::size_t>(kMessages));
  EXPECT_TRUE(strays.empty()) << strays.front().dump();
  std::cout << "[ flood    ] " << kMessages << " messages in " << took << " ms: " << replies << " replies, " << limited
            << " rate_limited\n";
  const std::string m = metrics();
  EXPECT_EQ(metric_sample(m, "xiaoer_answers_total{type=\"reply\"}").value_or(0), replies + 1.0 /*bystander*/) << m;
  expect_rss_bounded(before, "flood");
  expect_unaffected("flood");
}

// ---- secrets hygiene (issue 5 item 6) -------------------------------------------

// One raw HTTP exchange (request as given, answer read until the daemon
// closes or 2 s pass): status line, headers and body.
std::string raw_exchange(unsigned short port, const std::string& request) {
  RawConn conn;
  if (!conn.connect(port)) return "(no connection)";
  if (conn.send_all(request) != RawConn::Io::kOk) return "(send failed)";
  std::string answer;
  conn.wait_closed(2s, &answer);
  return answer;
}

std::string raw_request(const std::string& method, const std::string& target, const std::string& header,
                        const std::string& body = "") {
  std::string r = method;
  r.append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
  if (!header.empty()) r.append(header).append("\r\n");
  if (!body.empty()) r.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append("\r\n").append(body);
  return r;
}

std::string raw_upgrade(const std::string& target, const std::string& header) {
  std::string r = "GET ";
  r.append(target).append(
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
  if (!header.empty()) r.append(header).append("\r\n");
  r.append("\r\n");
  return r;
}

// Where a token could leak, each with a name for the failure message.
struct Evidence {
  std::vector<std::pair<std::string, std::string>> items;
  void add(std::string where, std::string text) { items.emplace_back(std::move(where), std::move(text)); }
};

class SecretsTest : public ItTest {};

TEST_F(SecretsTest, TokensNeverAppearInLogsMetricsFramesOrTheQueue) {
  DaemonProcess& daemon = make();
  DaemonConfig config;
  config.log_level = "trace";  // the chattiest log there is
  config.text_bytes = 256;
  daemon.write_config(config);
  ASSERT_TRUE(start());
  const std::string gw_token = DaemonProcess::kGatewayToken;
  const std::string ag_token = DaemonProcess::kAgentToken;
  Evidence seen;

  // Authentication failures of every kind, over raw HTTP so that headers
  // and bodies are seen too.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"agent token on /v1/gateway", raw_upgrade("/v1/gateway", "Authorization: Bearer " + ag_token)},
      {"gateway token on /v1/agent", raw_upgrade("/v1/agent?agent=li", "Authorization: Bearer " + gw_token)},
      {"token in the query", raw_upgrade("/v1/gateway?token=" + gw_token, "")},
      {"access_token in the query", raw_upgrade("/v1/agent?agent=li&access_token=" + ag_token, "Authorization: Bearer " + ag_token)},
      {"token plus a byte", raw_upgrade("/v1/gateway", "Authorization: Bearer " + gw_token + "x")},
      {"token minus a byte", raw_upgrade("/v1/gateway", "Authorization: Bearer " + gw_token.substr(1))},
      {"basic scheme", raw_upgrade("/v1/gateway", "Authorization: Basic " + gw_token)},
      {"unknown path", raw_upgrade("/v1/elsewhere?token=" + gw_token, "Authorization: Bearer " + gw_token)},
      {"tickets with the gateway token", raw_request("GET", "/v1/tickets", "Authorization: Bearer " + gw_token)},
      {"tickets with the token in the query", raw_request("GET", "/v1/tickets?token=" + ag_token, "")},
      {"claim with a near-miss token",
       raw_request("POST", "/v1/tickets/T-1/claim", "Authorization: Bearer " + ag_token + "0", R"({"agent":"li"})")},
      {"metrics with a token in the query", raw_request("GET", "/metrics?access_token=" + ag_token, "")},
  };
  for (const auto& [name, request] : refused) {
    const std::string answer = raw_exchange(port(), request);
    EXPECT_EQ(answer.find("HTTP/1.1 101"), std::string::npos) << name << " was let in";
    seen.add("HTTP answer to " + name, answer);
  }

  auto gw = gateway();
  auto li = agent("li");
  ASSERT_TRUE(gw && li);
  const auto keep = [&](const std::string& where, const std::optional<json>& frame) {
    if (frame) seen.add(where, frame->dump());
  };
  // Bad frames: every error frame is kept.
  for (const std::string& bad :
       {std::string("{not json"), std::string(R"({"type":"message","id":"s-1","chat":"s:bad"})"),
        std::string(R"({"type":"hello","id":"s-2"})"), std::string(R"({"type":"message","id":7,"chat":"s","text":"x"})"),
        message_frame("s-3", "s:bad", std::string(300, 'a')), std::string(100, '[') + std::string(100, ']'),
        message_frame(std::string(300, 'i'), "s:bad", "hi")}) {
    ASSERT_TRUE(gw->send(bad));
    const auto error = gw->read_json();
    ASSERT_TRUE(error) << bad.substr(0, 80);
    EXPECT_EQ((*error)["type"], "error") << error->dump();
    keep("error frame for " + bad.substr(0, 40), error);
  }
  for (const std::string& bad : {std::string("{"), std::string(R"({"type":"fly"})"), std::string(R"({"type":"claim"})"),
                                 std::string(R"({"type":"claim","ticket":"T-999","request_id":"x"})")}) {
    ASSERT_TRUE(li->send(bad));
    std::vector<json> skipped;
    const auto error = li->read_type("error", kDefaultTimeout, &skipped);
    keep("agent error frame for " + bad, error);
    for (auto& s : skipped) keep("agent frame", s);
  }
  {
    auto binary = gateway();
    ASSERT_TRUE(binary);
    binary->send_binary("\x01\x02");
    binary->wait_closed(3s);
  }

  // Handoffs and agent work, over the websocket and HTTP.
  std::vector<json> pushed;
  const auto h1 = ask(*gw, "s-10", "s:human", "转人工");
  ASSERT_TRUE(h1);
  ASSERT_EQ((*h1)["type"], "handoff");
  keep("handoff", h1);
  const auto h2 = ask(*gw, "s-11", "s:angry", "太差了 我要投诉");
  ASSERT_TRUE(h2);
  keep("handoff", h2);
  keep("hold", ask(*gw, "s-12", "s:human", "还在吗"));
  const std::string t1 = (*h1)["ticket"];
  const std::string t2 = (*h2).value("ticket", "T-0");
  for (const std::string& command :
       {json{{"type", "list"}}.dump(), json{{"type", "claim"}, {"ticket", t1}, {"request_id", "c1"}}.dump(),
        json{{"type", "send"}, {"ticket", t1}, {"text", "亲，我是小李"}, {"request_id", "c2"}}.dump(),
        json{{"type", "release"}, {"ticket", t1}, {"request_id", "c3"}}.dump(),
        json{{"type", "resolve"}, {"ticket", t1}, {"request_id", "c4"}}.dump()}) {
    ASSERT_TRUE(li->send(command));
    while (const auto frame = li->read_json(200ms)) keep("agent frame", frame);
  }
  for (const char* op : {"claim", "send", "resolve"}) {
    std::string path = "/v1/tickets/";
    path.append(t2).append("/").append(op);
    const HttpResult r =
        http_request(port(), http::verb::post, path, ag_token, R"({"agent":"wang","text":"亲，马上处理"})");
    EXPECT_EQ(r.status, 200) << op << ": " << r.body;
    seen.add(std::string("HTTP ") + op, r.body);
  }
  while (const auto frame = gw->read_json(300ms)) keep("gateway push", frame);

  // A reload.
  daemon.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return metric_sample(metrics(), "xiaoer_reloads_total{result=\"ok\"}") == 1.0; }, 5s));

  seen.add("/metrics", metrics());
  seen.add("/v1/tickets (agent token)", tickets().body);
  seen.add("/v1/tickets (gateway token)",
           raw_exchange(port(), raw_request("GET", "/v1/tickets", "Authorization: Bearer " + gw_token)));
  seen.add("/healthz", raw_exchange(port(), raw_request("GET", "/healthz", "")));
  seen.add("/readyz", raw_exchange(port(), raw_request("GET", "/readyz", "")));

  // A drain: the goodbye frames and the last log lines count too.
  daemon.signal(SIGTERM);
  while (const auto frame = gw->read_json(2s)) keep("gateway frame while draining", frame);
  while (const auto frame = li->read_json(2s)) keep("agent frame while draining", frame);
  const auto status = daemon.wait_exit(7s);
  ASSERT_TRUE(status) << "no exit after SIGTERM";
  seen.add("the daemon's stdout and stderr", daemon.log());
  seen.add("the journal", read_file(daemon.journal_path()));
  if (daemon.on_redis()) {
    for (const auto& file : std::filesystem::recursive_directory_iterator(daemon.redis_dir())) {
      if (file.is_regular_file()) seen.add("Redis's " + file.path().filename().string(), read_file(file.path()));
    }
  }
  EXPECT_NE(daemon.log().find("stopped"), std::string::npos) << "the drain did not finish";

  std::size_t bytes = 0;
  for (const auto& [where, text] : seen.items) {
    bytes += text.size();
    for (const std::string& token : {gw_token, ag_token}) {
      const std::size_t at = text.find(token);
      EXPECT_EQ(at, std::string::npos) << "a token in " << where << ": ..."
                                       << text.substr(at < 80 ? 0 : at - 80, 200) << "...";
    }
  }
  std::cout << "[ secrets  ] " << seen.items.size() << " places, " << bytes << " bytes searched\n";
}

}  // namespace
}  // namespace xiaoer::it
