#include "tests/integration/kill_rounds.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>

namespace xiaoer::it {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

namespace {

// The environment variable `name` as a number, `fallback` when unset.
int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::atoi(value);
}

}  // namespace

std::vector<Answered> LoadLog::answered_since(std::size_t* upto) {
  std::lock_guard lock(mutex);
  std::vector<Answered> batch(answered.begin() + static_cast<std::ptrdiff_t>(*upto), answered.end());
  *upto = answered.size();
  return batch;
}

KillPlan kill_plan(const char* label) {
  KillPlan plan;
  plan.rounds = std::max(1, env_int("XIAOER_FAULT_ROUNDS", 20));
  plan.seed = static_cast<std::uint32_t>(
      env_int("XIAOER_FAULT_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff)));
  std::cout << label << " " << plan.rounds << " rounds, XIAOER_FAULT_SEED=" << plan.seed << "\n";
  return plan;
}

int transcript_count(const json& ticket, const std::string& from, const std::string& text) {
  int n = 0;
  if (!ticket.contains("transcript")) return 0;
  for (const auto& line : ticket["transcript"]) n += line.value("from", "") == from && line.value("text", "") == text;
  return n;
}

std::map<std::string, json> tickets_by_id(const HttpResult& list) {
  std::map<std::string, json> out;
  const json body = list.body_json();
  if (!body.is_object() || !body.contains("tickets")) return out;
  for (const auto& t : body["tickets"]) out[t.value("id", "")] = t;
  return out;
}

std::string post_path(const std::string& ticket, const char* op) {
  std::string path = "/v1/tickets/";
  path.append(ticket).append("/").append(op);
  return path;
}

void run_load(unsigned short port, int round, std::uint32_t seed, const std::atomic<bool>& stop, LoadLog& log) {
  WsClient client;
  if (!client.connect(port, "/v1/gateway", DaemonProcess::kGatewayToken, "", 2000ms).ok) return;
  std::mt19937 random(seed);
  constexpr int kChats = 4;
  constexpr int kPerChat = 24;  // well under answered_window (64) and the transcript cap (50)
  struct Chat {
    std::string name;
    int sent = 0;
    bool handoff = false;  // this chat asks for a human at its 3rd message
    std::string ticket;    // open ticket, as far as we know
  };
  int generation = 0;
  const auto fresh_chat = [&](Chat& c) {
    c = Chat{};
    c.name = numbered("k", round).append("-").append(std::to_string(generation));
    c.handoff = generation % 2 == 0;
    ++generation;
  };
  std::vector<Chat> chats(kChats);
  for (auto& c : chats) fresh_chat(c);
  long n = 0;

  while (!stop.load()) {
    // One message per chat in flight, answers in any order.
    std::map<std::string, std::pair<std::size_t, std::string>> waiting;  // id -> (chat index, frame)
    std::map<std::string, std::string> texts;
    for (std::size_t i = 0; i < chats.size(); ++i) {
      Chat& c = chats[i];
      if (c.sent >= kPerChat) fresh_chat(c);
      std::string id = numbered("r", round).append("-").append(std::to_string(n++));
      std::string text;
      if (!c.ticket.empty()) {
        text = "还在吗 " + id;
      } else if (c.handoff && c.sent == 2) {
        text = "转人工";
      } else {
        text = kBotQuestions[random() % 4];
      }
      std::string frame = message_frame(id, c.name, text);
      if (!client.send(frame, 2000ms)) return;
      ++c.sent;
      {
        std::lock_guard lock(log.mutex);
        ++log.sent;
      }
      texts[id] = text;
      waiting[id] = {i, std::move(frame)};
    }
    while (!waiting.empty()) {
      const auto got = client.read_text(3000ms);
      if (!got) return;
      const json answer = json::parse(*got, nullptr, false);
      if (!answer.is_object() || !answer.contains("in_reply_to")) continue;  // a push
      const auto it = waiting.find(answer["in_reply_to"].get<std::string>());
      if (it == waiting.end()) continue;
      Chat& c = chats[it->second.first];
      const std::string type = answer.value("type", "");
      {
        std::lock_guard lock(log.mutex);
        log.answered.push_back({it->first, it->second.second, *got});
        if (type == "handoff") {
          TicketFacts& t = log.tickets[answer.value("ticket", "")];
          t.chat = c.name;
          t.round = round;
        } else if (type == "hold") {
          log.tickets[answer.value("ticket", "")].held.push_back(texts[it->first]);
        }
      }
      if (type == "handoff") c.ticket = answer.value("ticket", "");
      waiting.erase(it);
    }
    // Agents at work on the tickets: claim one in two; of those, answer and
    // resolve one in two (the chat goes back to the bot).
    for (Chat& c : chats) {
      if (c.ticket.empty() || stop.load()) continue;
      const int roll = static_cast<int>(random() % 8);
      if (roll == 0) {
        const HttpResult claim = http_request(port, http::verb::post, post_path(c.ticket, "claim"),
                                              DaemonProcess::kAgentToken, R"({"agent":"li"})", 2000ms);
        if (claim.status == 0) return;
        if (claim.status == 200) {
          std::lock_guard lock(log.mutex);
          log.tickets[c.ticket].claim_acked = true;
        }
      } else if (roll == 1 && log.tickets[c.ticket].claim_acked) {
        if (http_request(port, http::verb::post, post_path(c.ticket, "send"), DaemonProcess::kAgentToken,
                         R"({"agent":"li","text":"亲，我来处理"})", 2000ms)
                .status == 0) {
          return;
        }
        {
          std::lock_guard lock(log.mutex);
          log.tickets[c.ticket].resolve_tried = true;
        }
        const HttpResult resolve = http_request(port, http::verb::post, post_path(c.ticket, "resolve"),
                                                DaemonProcess::kAgentToken, R"({"agent":"li"})", 2000ms);
        if (resolve.status == 0) return;
        if (resolve.status == 200) {
          std::lock_guard lock(log.mutex);
          log.tickets[c.ticket].resolve_acked = true;
          c.ticket.clear();
          c.handoff = false;  // back with the bot for good
        }
      }
    }
  }
}


TicketProblems check_tickets(LoadLog& log, const std::map<std::string, json>& open, int round) {
  TicketProblems found;
  std::lock_guard lock(log.mutex);
  for (const auto& [id, facts] : log.tickets) {
    if (facts.chat.empty()) continue;  // a hold for a ticket from an earlier round's chat: not ours
    const auto it = open.find(id);
    if (facts.resolve_acked) {
      if (it != open.end()) {
        ++found.resurrected;
        found.messages.push_back(numbered("round ", round) + ": resolved ticket " + id + " is back: " + it->second.dump());
      }
      continue;
    }
    if (facts.resolve_tried) continue;  // killed mid-resolve: either way
    if (it == open.end()) {
      ++found.lost;
      found.messages.push_back(numbered("round ", round) + ": ticket " + id + " (chat " + facts.chat + ", " +
                               numbered("round ", facts.round) + ") lost after kill -9");
      continue;
    }
    if (it->second.value("chat", "") != facts.chat) {
      found.messages.push_back(id + " is listed with chat " + it->second.value("chat", "") + ", not " + facts.chat);
    }
    if (facts.claim_acked && !(it->second.value("state", "") == "claimed" && it->second.value("agent", "") == "li")) {
      ++found.claims_lost;
      found.messages.push_back(numbered("round ", round) + ": acknowledged claim of " + id + " lost: " + it->second.dump());
    }
    for (const auto& text : facts.held) {
      if (transcript_count(it->second, "buyer", text) != 1) {
        ++found.hold_lines_wrong;
        found.messages.push_back(numbered("round ", round) + ": held line '" + text + "' appears " +
                                 std::to_string(transcript_count(it->second, "buyer", text)) + " times in " +
                                 it->second.dump());
      }
    }
  }
  return found;
}

void compare_resends(unsigned short port, const std::vector<Answered>& batch, const std::string& when,
                     ResendTally& tally) {
  WsClient client;
  const Handshake h = client.connect(port, "/v1/gateway", DaemonProcess::kGatewayToken);
  ASSERT_TRUE(h.ok) << when << ": " << h.error;
  constexpr std::size_t kWindow = 128;
  std::map<std::string, const Answered*> pending;
  std::size_t next = 0;
  while (next < batch.size() || !pending.empty()) {
    while (next < batch.size() && pending.size() < kWindow) {
      ASSERT_TRUE(client.send(batch[next].frame)) << when;
      pending[batch[next].id] = &batch[next];
      ++next;
    }
    const auto got = client.read_text(5000ms);
    ASSERT_TRUE(got) << when << ": " << pending.size() << " resends unanswered";
    const json answer = json::parse(*got, nullptr, false);
    if (!answer.is_object() || !answer.contains("in_reply_to")) continue;
    const auto it = pending.find(answer["in_reply_to"].get<std::string>());
    ASSERT_NE(it, pending.end()) << when << ": unexpected " << *got;
    ++tally.compared;
    if (*got != it->second->answer) {
      ++tally.mismatched;
      ADD_FAILURE() << when << ": " << it->first << " answered differently on resend:\n  before: "
                    << it->second->answer << "\n  after:  " << *got;
    }
    pending.erase(it);
  }
}

}  // namespace xiaoer::it
