// The kill -9 rounds' load and checks, shared by the journal's
// (faults_test.cpp: one daemon killed and restarted) and the Redis
// store's (redis_store_test.cpp: one of two daemons on one Redis killed,
// the other checked): a load that records only what came back, then every
// ticket it was told of looked for in a listing, and every answer it got
// resent and compared byte for byte.
//
// Thread safety: LoadLog is locked by its users; the rest is the caller's
// thread's.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/integration/it_support.hpp"

namespace xiaoer::it {

inline const char* const kBotQuestions[] = {"发什么快递", "包邮吗", "能开发票吗", "什么时候发货"};

// A kill test's rounds (XIAOER_FAULT_ROUNDS, 20 unless set) and seed
// (XIAOER_FAULT_SEED, random unless set), printed after `label` so that a
// failing run can be played again.
struct KillPlan {
  int rounds = 20;
  std::uint32_t seed = 0;
};
KillPlan kill_plan(const char* label);
// How often `text` was said by `from` in a ticket's transcript.
int transcript_count(const json& ticket, const std::string& from, const std::string& text);
// GET /v1/tickets's answer, id → ticket.
std::map<std::string, json> tickets_by_id(const HttpResult& list);
// /v1/tickets/<ticket>/<op>
std::string post_path(const std::string& ticket, const char* op);

// What the load learned for sure: answers it received, tickets it was told of.
struct Answered {
  std::string id;
  std::string frame;   // the message as sent
  std::string answer;  // the answer frame as received
};

struct TicketFacts {
  std::string chat;
  int round = 0;
  bool claim_acked = false;
  bool resolve_tried = false;
  bool resolve_acked = false;
  std::vector<std::string> held;  // buyer texts answered `hold`
};

struct LoadLog {
  std::mutex mutex;
  std::vector<Answered> answered;
  std::map<std::string, TicketFacts> tickets;
  long sent = 0;

  // The answers received since `*upto` answers, which it then counts too
  // (a round checks only its own).
  std::vector<Answered> answered_since(std::size_t* upto);
};

// One round's load on the daemon at `port`: a gateway connection that
// keeps several chats busy (bot questions, "转人工", then messages held for
// the ticket) and agent operations over HTTP (claim, send, resolve). Runs
// until `stop` or until the daemon is gone; records only what came back.
// Needs chats.answered_window 64 (24 messages a chat).
void run_load(unsigned short port, int round, std::uint32_t seed, const std::atomic<bool>& stop, LoadLog& log);

// What a listing of the open tickets (`open`, after round `round`) gets
// wrong about the tickets of `log`: a ticket lost, a resolved one back, an
// acknowledged claim lost, a held line missing or doubled.
struct TicketProblems {
  long lost = 0;
  long resurrected = 0;
  long claims_lost = 0;
  long hold_lines_wrong = 0;
  std::vector<std::string> messages;  // one a problem, naming the round
  bool none() const { return messages.empty(); }
  // Adds the counts of `round` (a sum over the rounds; not its messages).
  TicketProblems& operator+=(const TicketProblems& round) {
    lost += round.lost;
    resurrected += round.resurrected;
    claims_lost += round.claims_lost;
    hold_lines_wrong += round.hold_lines_wrong;
    return *this;
  }
};
TicketProblems check_tickets(LoadLog& log, const std::map<std::string, json>& open, int round);

// Resends `batch` to the daemon at `port` on a fresh gateway connection
// (pipelined) and compares each answer with the one received: a test
// failure for each that differs, and a fatal one if the daemon stops
// answering.
struct ResendTally {
  long compared = 0;
  long mismatched = 0;
};
void compare_resends(unsigned short port, const std::vector<Answered>& batch, const std::string& when,
                     ResendTally& tally);

}  // namespace xiaoer::it
