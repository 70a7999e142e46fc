#include "bench/answer_checker.hpp"

#include <gtest/gtest.h>

#include <string>

namespace xiaoer::bench {
namespace {

using Clock = AnswerChecker::Clock;
using Verdict = AnswerChecker::Verdict;

std::string reply(const std::string& id, const std::string& chat) {
  std::string f(R"({"type":"reply","in_reply_to":")");
  f.append(id).append(R"(","chat":")").append(chat).append(R"(","text":"亲，在的","intents":["greet"],"confidence":1})");
  return f;
}

TEST(AnswerChecker, NamesMessagesInOrder) {
  AnswerChecker checker("p-");
  const Clock::time_point t{};
  EXPECT_EQ(checker.next_id("c1", t), "p-0");
  EXPECT_EQ(checker.next_id("c1", t), "p-1");
  EXPECT_EQ(checker.counts().sent, 2u);
  EXPECT_EQ(checker.outstanding(), 2u);
}

TEST(AnswerChecker, CountsGoodAnswersByTypeWithLatency) {
  AnswerChecker checker("p-");
  const Clock::time_point t0 = Clock::now();
  const std::string a = checker.next_id("c1", t0);
  const std::string b = checker.next_id("c2", t0);
  const std::string c = checker.next_id("c3", t0);
  const std::string d = checker.next_id("c4", t0);

  const auto r = checker.on_frame(reply(a, "c1"), t0 + std::chrono::milliseconds(3));
  EXPECT_EQ(r.verdict, Verdict::kAnswer);
  EXPECT_EQ(r.type, AnswerType::kReply);
  EXPECT_EQ(r.latency, std::chrono::milliseconds(3));

  // Out of order is fine; every answer type; unknown fields ignored.
  std::string hold(R"({"type":"hold","in_reply_to":")");
  hold.append(c).append(R"(","chat":"c3","ticket":"T-1","extra":{"type":"x","in_reply_to":"nope"}})");
  EXPECT_EQ(checker.on_frame(hold, t0).type, AnswerType::kHold);
  std::string handoff(R"({"type":"handoff","in_reply_to":")");
  handoff.append(b).append(R"(","chat":"c2","text":"转人工","ticket":"T-2","reason":"asked_for_human","position":1})");
  EXPECT_EQ(checker.on_frame(handoff, t0).type, AnswerType::kHandoff);
  std::string error(R"({"type":"error","in_reply_to":")");
  error.append(d).append(R"(","code":"rate_limited","message":"slow down"})");
  EXPECT_EQ(checker.on_frame(error, t0).type, AnswerType::kError);

  const AnswerCounts& counts = checker.counts();
  EXPECT_EQ(counts.answered, 4u);
  EXPECT_EQ(counts.malformed, 0u);
  for (std::size_t i = 0; i < kAnswerTypeCount; ++i) EXPECT_EQ(counts.by_type[i], 1u) << i;
  EXPECT_EQ(checker.outstanding(), 0u);
}

TEST(AnswerChecker, PushesAreCountedNotErrors) {
  AnswerChecker checker("p-");
  checker.next_id("c1", Clock::now());
  EXPECT_EQ(checker.on_frame(R"({"type":"agent_reply","chat":"c1","text":"hi","agent":"li","ticket":"T-1"})", Clock::now()).verdict,
            Verdict::kPush);
  EXPECT_EQ(checker.on_frame(R"({"type":"notice","chat":"c1","text":"wait","ticket":"T-1"})", Clock::now()).verdict,
            Verdict::kPush);
  EXPECT_EQ(checker.counts().pushes, 2u);
  EXPECT_EQ(checker.counts().malformed, 0u);
  EXPECT_EQ(checker.outstanding(), 1u);  // a push answers nothing
}

TEST(AnswerChecker, DetectsAMissingAnswer) {
  AnswerChecker checker("p-");
  const std::string a = checker.next_id("c1", Clock::now());
  const std::string b = checker.next_id("c1", Clock::now());
  EXPECT_EQ(checker.on_frame(reply(a, "c1"), Clock::now()).verdict, Verdict::kAnswer);
  EXPECT_EQ(checker.outstanding(), 1u);
  ASSERT_EQ(checker.outstanding_ids(10).size(), 1u);
  EXPECT_EQ(checker.outstanding_ids(10).front(), b);
  EXPECT_EQ(checker.counts().answered, 1u);
}

struct MalformedCase {
  const char* name;
  std::string frame;
  Malformed expected;
};

TEST(AnswerChecker, DetectsMalformedAnswers) {
  const std::vector<MalformedCase> cases = {
      {"not json", "not json", Malformed::kBadJson},
      {"truncated", R"({"type":"reply","in_reply_to":"p-0")", Malformed::kBadJson},
      {"trailing data", reply("p-0", "c0") + " {}", Malformed::kBadJson},
      {"bad utf-8", "{\"type\":\"reply\",\"in_reply_to\":\"p-0\",\"chat\":\"c0\",\"text\":\"\xff\"}", Malformed::kBadJson},
      {"array", R"(["reply"])", Malformed::kNotObject},
      {"string", R"("reply")", Malformed::kNotObject},
      {"no type", R"({"in_reply_to":"p-0","chat":"c0"})", Malformed::kNoType},
      {"type not a string", R"({"type":1,"in_reply_to":"p-0","chat":"c0"})", Malformed::kNoType},
      {"type nested only", R"({"x":{"type":"reply"},"in_reply_to":"p-0","chat":"c0"})", Malformed::kNoType},
      {"unknown type", R"({"type":"message","in_reply_to":"p-0","chat":"c0"})", Malformed::kUnknownType},
      {"no in_reply_to", R"({"type":"reply","chat":"c0","text":"x"})", Malformed::kNoInReplyTo},
      {"error without id", R"({"type":"error","code":"bad_json","message":"x"})", Malformed::kNoInReplyTo},
      {"in_reply_to not a string", R"({"type":"reply","in_reply_to":0,"chat":"c0"})", Malformed::kNoInReplyTo},
      {"other prefix", reply("q-0", "c0"), Malformed::kUnknownId},
      {"never sent", reply("p-7", "c0"), Malformed::kUnknownId},
      {"not a number", reply("p-x", "c0"), Malformed::kUnknownId},
      {"leading zero", reply("p-00", "c0"), Malformed::kUnknownId},
      {"wrong chat", reply("p-0", "c9"), Malformed::kWrongChat},
      {"no chat", R"({"type":"reply","in_reply_to":"p-0","text":"x"})", Malformed::kWrongChat},
  };
  for (const auto& c : cases) {
    AnswerChecker checker("p-");
    checker.next_id("c0", Clock::now());
    const auto r = checker.on_frame(c.frame, Clock::now());
    EXPECT_EQ(r.verdict, Verdict::kMalformed) << c.name;
    EXPECT_EQ(r.malformed, c.expected) << c.name << ": got " << to_string(r.malformed);
    EXPECT_EQ(checker.counts().malformed, 1u) << c.name;
    EXPECT_EQ(checker.counts().by_malformed[static_cast<std::size_t>(c.expected)], 1u) << c.name;
    EXPECT_EQ(checker.counts().answered, 0u) << c.name;
    EXPECT_FALSE(checker.first_malformed().empty()) << c.name;
  }
}

TEST(AnswerChecker, DetectsADuplicateAnswer) {
  AnswerChecker checker("p-");
  const std::string a = checker.next_id("c1", Clock::now());
  EXPECT_EQ(checker.on_frame(reply(a, "c1"), Clock::now()).verdict, Verdict::kAnswer);
  const auto again = checker.on_frame(reply(a, "c1"), Clock::now());
  EXPECT_EQ(again.verdict, Verdict::kMalformed);
  EXPECT_EQ(again.malformed, Malformed::kDuplicate);
  // An error answer for an id already answered is a duplicate too.
  std::string error(R"({"type":"error","in_reply_to":")");
  error.append(a).append(R"(","code":"bad_request","message":"x"})");
  EXPECT_EQ(checker.on_frame(error, Clock::now()).malformed, Malformed::kDuplicate);
  EXPECT_EQ(checker.counts().answered, 1u);
  EXPECT_EQ(checker.counts().malformed, 2u);
  EXPECT_EQ(checker.counts().by_malformed[static_cast<std::size_t>(Malformed::kDuplicate)], 2u);
}

TEST(AnswerChecker, ErrorAnswersNeedNoChat) {
  AnswerChecker checker("p-");
  const std::string a = checker.next_id("c1", Clock::now());
  std::string error(R"({"type":"error","in_reply_to":")");
  error.append(a).append(R"(","code":"too_large","message":"x"})");
  EXPECT_EQ(checker.on_frame(error, Clock::now()).verdict, Verdict::kAnswer);
}

TEST(AnswerChecker, RejectCountsAFrameMalformed) {
  AnswerChecker checker("p-");
  const auto r = checker.reject(Malformed::kBadJson, "(binary frame)");
  EXPECT_EQ(r.verdict, Verdict::kMalformed);
  EXPECT_EQ(checker.counts().malformed, 1u);
}

TEST(AnswerCounts, Merge) {
  AnswerCounts a, b;
  a.sent = 2;
  a.answered = 1;
  a.by_type[0] = 1;
  b.sent = 3;
  b.malformed = 1;
  b.by_malformed[2] = 1;
  b.pushes = 4;
  a.merge(b);
  EXPECT_EQ(a.sent, 5u);
  EXPECT_EQ(a.answered, 1u);
  EXPECT_EQ(a.malformed, 1u);
  EXPECT_EQ(a.by_malformed[2], 1u);
  EXPECT_EQ(a.pushes, 4u);
}

}  // namespace
}  // namespace xiaoer::bench
