// The fuzz targets' bodies: one function of the input bytes per target, each
// returning what it found ("" when every property holds).
//
// fuzz/<target>.cpp hands libFuzzer's input to the function named like it
// (fuzz_gateway_frame() for fuzz/fuzz_gateway_frame.cpp);
// tests/fuzz/fuzz_regressions_test.cpp feeds every file under
// tests/fuzz_regressions/<target>/ through the same function (kTargets, at
// the end), so a crasher kept there replays exactly as the fuzzer found it.
//
// What each checks, besides "no crash, no sanitizer report, no exception"
// (docs/testing.md has the full table):
//   fuzz_gateway_frame   decode → encode → decode is the identity; decoded
//                        fields are valid UTF-8 and within the limits; an
//                        error frame encodes to valid JSON. Same for agent
//                        frames and HTTP agent bodies.
//   fuzz_normalizer      the output is valid UTF-8, trimmed, without control
//                        characters, runs of spaces or ASCII capitals;
//                        normalize_into == normalize; idempotent when strict;
//                        its core form is valid UTF-8, never emptied, and
//                        its own core.
//   fuzz_classifier      Engine::respond (shipped intents) over two turns: the
//                        reply is non-empty valid UTF-8, the confidence in
//                        [0, 1], and respond is deterministic; the rules
//                        matched are those that match run alone.
//   fuzz_intent_loader   load_intent_source + IntentSet::build (+ Engine::build
//                        and the examples when that succeeds): diagnostics
//                        name the file; a set is built exactly when there is
//                        no error; the rules matched are those that match
//                        run alone.
//   fuzz_config_loader   load_config_source: diagnostics name the file; every
//                        rate and limit stays positive and finite.
//   fuzz_shop_loader     load_shop_facts_source: diagnostics name the file; a
//                        clean load has sane hours and size rows.
//   fuzz_template        compile: an error points inside the source; render:
//                        leaves `out` untouched on failure, appends otherwise;
//                        a template without braces renders to itself.
//   fuzz_journal_replay  the input as a journal file: every intact record (and
//                        only those) replayed, in order; counts add up.
//   fuzz_push_frames, fuzz_agent_http: fuzz_protocol_targets.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/app/config.hpp"
#include "daemon/common/metrics.hpp"
#include "daemon/common/utf8.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/engine/engine_store.hpp"
#include "daemon/nlu/core_form.hpp"
#include "daemon/nlu/intent_loader.hpp"
#include "daemon/nlu/intent_set.hpp"
#include "daemon/proto/codec.hpp"
#include "daemon/proto/plain_message.hpp"
#include "daemon/service/chat_service.hpp"
#include "daemon/store/journal/journal.hpp"
#include "daemon/store/journal/journal_store.hpp"
#include "daemon/reply/reply_template.hpp"
#include "daemon/reply/shop_facts.hpp"
#include "fuzz/fuzz_support.hpp"

namespace xiaoer::fuzz {

// ---- fuzz_gateway_frame ----------------------------------------------------

namespace detail {

inline bool same(const proto::InboundMessage& a, const proto::InboundMessage& b) {
  return a.id == b.id && a.chat == b.chat && a.text == b.text && a.ts == b.ts && a.channel == b.channel &&
         a.buyer_nick == b.buyer_nick && a.item_id == b.item_id && a.meta == b.meta;
}

inline bool same(const proto::AgentCommand& a, const proto::AgentCommand& b) {
  return a.op == b.op && a.ticket == b.ticket && a.text == b.text && a.request_id == b.request_id && a.agent == b.agent;
}

// An agent frame as a client would write it (the codec has no encoder for
// commands): empty fields left out.
inline std::string agent_frame(const proto::AgentCommand& command) {
  nlohmann::ordered_json j;
  j["type"] = std::string(proto::to_string(command.op));
  if (!command.ticket.empty()) j["ticket"] = command.ticket;
  if (!command.text.empty()) j["text"] = command.text;
  if (!command.request_id.empty()) j["request_id"] = command.request_id;
  if (!command.agent.empty()) j["agent"] = command.agent;
  return j.dump();
}

// An error frame must encode to one JSON object of type "error" with its code.
inline void check_error(const proto::ErrorFrame& error, Finding& f) {
  const std::string text = proto::encode(error);
  if (!FUZZ_EXPECT(f, common::is_valid_utf8(text), cat({"error frame is not valid UTF-8: ", escaped(text)}))) return;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  FUZZ_EXPECT(f, j.is_object() && j.value("type", "") == "error" && j.value("code", "") == proto::to_string(error.code),
              cat({"error frame does not encode as {type: error, code}: ", escaped(text)}));
}

inline void check_message(const proto::InboundMessage& m, const proto::DecodeLimits& limits, Finding& f) {
  const std::string where =
      cat({" (limits ", std::to_string(limits.max_text_bytes), "/", std::to_string(limits.max_id_bytes), ")"});
  for (const std::string* field : {&m.id, &m.chat, &m.text, &m.channel, &m.buyer_nick, &m.item_id}) {
    FUZZ_EXPECT(f, common::is_valid_utf8(*field), cat({"decoded message field is not valid UTF-8: ", escaped(*field)}));
  }
  FUZZ_EXPECT(f, !m.id.empty() && m.id.size() <= limits.max_id_bytes, cat({"decoded id breaks the limits", where}));
  FUZZ_EXPECT(f, !m.chat.empty() && m.chat.size() <= limits.max_id_bytes,
              cat({"decoded chat breaks the limits", where}));
  FUZZ_EXPECT(f, m.text.size() <= limits.max_text_bytes, cat({"decoded text over max_text_bytes", where}));
  FUZZ_EXPECT(f, m.ts >= 0, "decoded ts is negative");

  const std::string again = proto::encode(m);
  const proto::GatewayFrame redecoded = proto::decode_gateway_frame(again, limits);
  if (const auto* error = std::get_if<proto::ErrorFrame>(&redecoded)) {
    fail(f, cat({"encode(decoded message) does not decode: ", escaped(again), " -> ", proto::encode(*error)}));
    return;
  }
  const auto& m2 = std::get<proto::InboundMessage>(redecoded);
  FUZZ_EXPECT(f, same(m, m2),
              cat({"message does not round-trip: ", escaped(again), " -> ", escaped(proto::encode(m2))}));
  FUZZ_EXPECT(f, proto::encode(m2) == again, cat({"encoding a message is not stable: ", escaped(again)}));
}

inline void check_command(const proto::AgentCommand& c, const proto::DecodeLimits& limits, Finding& f) {
  for (const std::string* field : {&c.ticket, &c.text, &c.request_id, &c.agent}) {
    FUZZ_EXPECT(f, common::is_valid_utf8(*field), cat({"decoded command field is not valid UTF-8: ", escaped(*field)}));
  }
  FUZZ_EXPECT(f, c.request_id.size() <= limits.max_id_bytes, "decoded request_id over max_id_bytes");
  FUZZ_EXPECT(f, c.agent.size() <= limits.max_id_bytes, "decoded agent over max_id_bytes");
  if (c.op != proto::AgentOp::kList) {
    FUZZ_EXPECT(f, !c.ticket.empty() && c.ticket.size() <= limits.max_id_bytes, "decoded ticket breaks the limits");
  }
  if (c.op == proto::AgentOp::kSend) {
    FUZZ_EXPECT(f, !c.text.empty() && c.text.size() <= limits.max_text_bytes, "decoded send text breaks the limits");
  }
}

// A hello or ack frame: its fields within the limits, and re-encoded it
// decodes to the same frame.
inline void check_push_frame(const proto::GatewayFrame& frame, const proto::DecodeLimits& limits, Finding& f) {
  std::string again;
  if (const auto* ack = std::get_if<proto::AckFrame>(&frame)) {
    FUZZ_EXPECT(f, !ack->push_ids.empty(), "an ack decoded with no push_ids");
    for (const std::string& id : ack->push_ids) {
      FUZZ_EXPECT(f, !id.empty() && id.size() <= limits.max_id_bytes && common::is_valid_utf8(id),
                  cat({"a decoded push_id breaks the limits: ", escaped(id)}));
    }
    again = proto::encode(*ack);
  } else {
    again = proto::encode(std::get<proto::HelloFrame>(frame));
  }
  const proto::GatewayFrame redecoded = proto::decode_gateway_frame(again, limits);
  FUZZ_EXPECT(f, redecoded.index() == frame.index(), cat({"a hello or ack re-encoded decodes otherwise: ", escaped(again)}));
  if (const auto* ack = std::get_if<proto::AckFrame>(&redecoded)) {
    FUZZ_EXPECT(f, ack->push_ids == std::get<proto::AckFrame>(frame).push_ids,
                cat({"an ack does not round-trip: ", escaped(again)}));
  } else if (const auto* hello = std::get_if<proto::HelloFrame>(&redecoded)) {
    FUZZ_EXPECT(f, hello->acks == std::get<proto::HelloFrame>(frame).acks, "a hello does not round-trip");
  }
}

}  // namespace detail

inline Finding fuzz_gateway_frame(std::string_view input) {
  Finding f;
  proto::DecodeLimits tight;  // small enough that short inputs reach kTooLarge
  tight.max_text_bytes = 64;
  tight.max_id_bytes = 16;
  for (const proto::DecodeLimits& limits : {proto::DecodeLimits{}, tight}) {
    const proto::GatewayFrame gateway = proto::decode_gateway_frame(input, limits);
    // The fast path for message frames decides nothing of its own: what it
    // takes, the full decoder reads the same.
    if (const std::optional<proto::InboundMessage> plain = proto::decode_plain_message(input, limits)) {
      const proto::GatewayFrame full = proto::decode_gateway_frame_in_full(input, limits);
      const auto* m = std::get_if<proto::InboundMessage>(&full);
      if (m == nullptr) {
        const auto* error = std::get_if<proto::ErrorFrame>(&full);
        fail(f, cat({"the fast path takes a frame the full decoder does not: ", escaped(input), " -> ",
                     error != nullptr ? proto::encode(*error) : "a push frame"}));
      } else {
        FUZZ_EXPECT(f, detail::same(*plain, *m), cat({"the fast path reads a frame otherwise: ", escaped(input)}));
      }
    }
    if (const auto* m = std::get_if<proto::InboundMessage>(&gateway)) {
      detail::check_message(*m, limits, f);
    } else if (const auto* error = std::get_if<proto::ErrorFrame>(&gateway)) {
      detail::check_error(*error, f);
    } else {
      detail::check_push_frame(gateway, limits, f);
    }

    const proto::AgentFrame agent = proto::decode_agent_frame(input, limits);
    if (const auto* c = std::get_if<proto::AgentCommand>(&agent)) {
      detail::check_command(*c, limits, f);
      const std::string again = detail::agent_frame(*c);
      const proto::AgentFrame redecoded = proto::decode_agent_frame(again, limits);
      if (const auto* error = std::get_if<proto::ErrorFrame>(&redecoded)) {
        fail(f, cat({"agent command re-encoded does not decode: ", escaped(again), " -> ", proto::encode(*error)}));
      } else {
        FUZZ_EXPECT(f, detail::same(*c, std::get<proto::AgentCommand>(redecoded)),
                    cat({"agent command does not round-trip: ", escaped(again)}));
      }
    } else {
      detail::check_error(std::get<proto::ErrorFrame>(agent), f);
    }

    // The same bytes as the body of POST /v1/tickets/T-1/{op}.
    for (const proto::AgentOp op :
         {proto::AgentOp::kClaim, proto::AgentOp::kRelease, proto::AgentOp::kResolve, proto::AgentOp::kSend}) {
      const proto::AgentFrame request = proto::decode_agent_request(op, "T-1", input, limits);
      if (const auto* c = std::get_if<proto::AgentCommand>(&request)) {
        detail::check_command(*c, limits, f);
        FUZZ_EXPECT(f, c->op == op && c->ticket == "T-1", "agent request lost its op or ticket");
      } else {
        detail::check_error(std::get<proto::ErrorFrame>(request), f);
      }
    }
  }
  return f;
}

// ---- fuzz_normalizer -------------------------------------------------------

inline Finding fuzz_normalizer(std::string_view input) {
  Finding f;
  const nlu::Normalizer& n = normalizer();
  const std::string once = n.normalize(input);
  FUZZ_EXPECT(f, common::is_valid_utf8(once), cat({"normalize() output is not valid UTF-8: ", escaped(once)}));
  FUZZ_EXPECT(f, once.empty() || (once.front() != ' ' && once.back() != ' '), "normalize() output is not trimmed");
  FUZZ_EXPECT(f, once.find("  ") == std::string::npos, "normalize() output has a run of spaces");
  FUZZ_EXPECT(f,
              std::none_of(once.begin(), once.end(),
                           [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 0 && c < ' ') || c == 0x7F; }),
              cat({"normalize() output has an ASCII capital or control character: ", escaped(once)}));
  std::string into = "not cleared";
  n.normalize_into(input, into);
  FUZZ_EXPECT(f, into == once, "normalize_into() differs from normalize()");
  const std::string twice = n.normalize(once);
  FUZZ_EXPECT(f, twice == once,
              cat({"normalize() is not idempotent: ", escaped(input), " -> ", escaped(once), " -> ", escaped(twice)}));
  const std::string core = nlu::core_form(once);
  FUZZ_EXPECT(f, common::is_valid_utf8(core), cat({"core_form() output is not valid UTF-8: ", escaped(core)}));
  FUZZ_EXPECT(f, core.empty() == once.empty(), cat({"core_form() emptied ", escaped(once)}));
  const std::string core_twice = nlu::core_form(core);
  FUZZ_EXPECT(f, core_twice == core,
              cat({"core_form() is not idempotent: ", escaped(once), " -> ", escaped(core), " -> ", escaped(core_twice)}));
  return f;
}


// ---- fuzz_classifier -------------------------------------------------------

// The prefilter must choose exactly the rules that match when each runs
// alone (and so must the memo, asked twice).
inline void expect_exact_match(Finding& f, const nlu::IntentSet& set, std::string_view text) {
  for (int round = 1; round <= 2; ++round) {
    std::vector<int> hits;
    set.match(text, &hits);
    std::vector<int> alone;
    for (int i = 0; i < set.matcher().size(); ++i) {
      if (RE2::PartialMatch(text, set.matcher().rule(i))) alone.push_back(i);
    }
    FUZZ_EXPECT(f, hits == alone, cat({"match() differs from the rules run alone on ", escaped(text)}));
  }
}

inline Finding fuzz_classifier(std::string_view input) {
  Finding f;
  static constexpr std::array<std::string_view, 4> kChannels = {"", "taobao", "jd", "default"};
  const std::string_view channel = kChannels[input.size() % kChannels.size()];
  const auto engine = shipped_engine();
  expect_exact_match(f, engine->intent_set(), nlu::core_form(engine->normalizer().normalize(input)));
  nlu::Context context;
  for (int turn = 1; turn <= 2; ++turn) {
    const engine::Outcome outcome = engine->respond(input, context, channel);
    const std::string at = cat({" (turn ", std::to_string(turn), ")"});
    FUZZ_EXPECT(f, !outcome.text.empty(), cat({"empty reply", at}));
    FUZZ_EXPECT(f, common::is_valid_utf8(outcome.text),
                cat({"reply is not valid UTF-8", at, ": ", escaped(outcome.text)}));
    FUZZ_EXPECT(f, std::isfinite(outcome.confidence) && outcome.confidence >= 0 && outcome.confidence <= 1,
                cat({"confidence out of [0, 1]", at, ": ", std::to_string(outcome.confidence)}));
    if (turn == 1) {
      const engine::Outcome again = engine->respond(input, context, channel);
      FUZZ_EXPECT(f, again.text == outcome.text && again.intents == outcome.intents && again.next == outcome.next,
                  "respond() is not deterministic");
    }
    context = outcome.next;
  }
  return f;
}

// ---- fuzz_intent_loader ----------------------------------------------------

inline constexpr const char* kFuzzFile = "fuzz.yaml";

// A small shop with every fact and the size chart, for engines and templates.
inline constexpr const char* kFuzzShop = R"(
name: 小店
facts: {courier: 中通快递, dispatch_hours: '48', return_days: '7'}
delivery: {default_days: '2-4', regions: {新疆: '5-7'}}
size_chart:
  - {size: S, height_cm: [150, 159], weight_kg: [40, 49]}
  - {size: M, height_cm: [160, 169], weight_kg: [50, 59]}
emoji:
  default: {smile: '😊'}
  taobao: {smile: '/:^_^'}
)";

inline const reply::ShopFacts& fuzz_shop() {
  static const reply::ShopFacts shop = [] {
    reply::LoadedShopFacts loaded = reply::load_shop_facts_source("fuzz_shop.yaml", kFuzzShop);
    if (common::has_errors(loaded.diagnostics)) die(loaded.diagnostics.front().to_string());
    return loaded.facts;
  }();
  return shop;
}

inline Finding fuzz_intent_loader(std::string_view input) {
  Finding f;
  nlu::LoadedCatalog loaded;
  nlu::load_intent_source(kFuzzFile, input, normalizer(), loaded);
  for (const auto& d : loaded.diagnostics) {
    FUZZ_EXPECT(f, d.where.file == kFuzzFile, cat({"loader diagnostic does not name the file: ", d.to_string()}));
  }
  if (common::has_errors(loaded.diagnostics)) return f;

  nlu::IntentSet::Options options;
  options.max_mem = 8 << 20;  // the set's budget; small inputs need little
  const nlu::IntentSet::BuildResult built = nlu::IntentSet::build(loaded.catalog, options);
  for (const auto& d : built.diagnostics) {
    // Rule errors name the file; errors about the whole set name none.
    FUZZ_EXPECT(f, d.where.file.empty() || d.where.file == kFuzzFile,
                cat({"build diagnostic names another file: ", d.to_string()}));
  }
  FUZZ_EXPECT(f, (built.set != nullptr) == !common::has_errors(built.diagnostics),
              "IntentSet::build returned a set with errors, or no set and no error");
  if (!built.set) return f;
  expect_exact_match(f, *built.set, normalizer().normalize(input));

  // The whole engine: templates compiled against the shop, examples answered.
  engine::Engine::LoadResult engine =
      engine::Engine::build(shared_normalizer(), std::move(loaded.catalog), fuzz_shop(), options);
  FUZZ_EXPECT(f, (engine.engine != nullptr) == !common::has_errors(engine.diagnostics),
              "Engine::build returned an engine with errors, or no engine and no error");
  if (!engine.engine) return f;
  std::size_t answered = 0;
  for (const auto& intent : engine.engine->intent_set().intents()) {
    for (const auto& example : intent.examples) {
      if (++answered > 16) return f;
      const engine::Outcome outcome = engine.engine->respond(example.text, {}, "taobao");
      FUZZ_EXPECT(f, common::is_valid_utf8(outcome.text) || !common::is_valid_utf8(input),
                  "reply to an example is not valid UTF-8");
    }
  }
  return f;
}

// ---- fuzz_config_loader ----------------------------------------------------

inline Finding fuzz_config_loader(std::string_view input) {
  Finding f;
  const app::LoadedConfig loaded = app::load_config_source(kFuzzFile, input);
  for (const auto& d : loaded.diagnostics) {
    FUZZ_EXPECT(f, d.where.file == kFuzzFile, cat({"config diagnostic does not name the file: ", d.to_string()}));
  }
  // Whatever was rejected, what is left is usable: the daemon divides by,
  // sizes buffers with and sleeps for these.
  const app::Config& c = loaded.config;
  FUZZ_EXPECT(f, std::isfinite(c.chat.messages_per_second) && c.chat.messages_per_second > 0,
              cat({"messages_per_chat_per_second is not a positive number: ", std::to_string(c.chat.messages_per_second)}));
  FUZZ_EXPECT(f,
              c.threads >= 0 && c.chat.burst > 0 && c.session.max_frame_bytes > 0 && c.decode.max_text_bytes > 0 &&
                  c.session.max_connections > 0 && c.session.max_outbound_frames > 0 &&
                  c.session.idle_timeout.count() > 0 && c.session.handshake_timeout.count() > 0 &&
                  c.chat.expire_after_ms > 0 && c.chat.answered_window > 0 && c.chat.transcript_lines > 0 &&
                  c.chat.notice_after_ms > 0 && c.engine.max_mem > 0 && c.chat.compact_after_bytes > 0 &&
                  c.reconnect.min.count() > 0 && c.reconnect.max.count() > 0,
              "a config limit is not positive");
  return f;
}

// ---- fuzz_shop_loader ------------------------------------------------------

inline Finding fuzz_shop_loader(std::string_view input) {
  Finding f;
  const reply::LoadedShopFacts loaded = reply::load_shop_facts_source(kFuzzFile, input);
  for (const auto& d : loaded.diagnostics) {
    FUZZ_EXPECT(f, d.where.file == kFuzzFile, cat({"shop diagnostic does not name the file: ", d.to_string()}));
  }
  const reply::ShopFacts& shop = loaded.facts;
  if (!common::has_errors(loaded.diagnostics)) {
    const reply::BusinessHours& h = shop.business_hours;
    FUZZ_EXPECT(f, h.open_minute >= 0 && h.open_minute <= 24 * 60 && h.close_minute >= 0 && h.close_minute <= 24 * 60,
                "business hours outside the day");
    for (const auto& row : shop.size_chart) {
      FUZZ_EXPECT(f, row.height_min <= row.height_max && row.weight_min <= row.weight_max,
                  "size row with min over max");
    }
  }
  // What replies read of it never fails.
  for (const int height : {0, 155, 165, 1000}) {
    if (const auto size = shop.recommend_size(height, height / 3)) {
      FUZZ_EXPECT(f,
                  std::any_of(shop.size_chart.begin(), shop.size_chart.end(),
                              [&](const reply::SizeRow& row) { return row.size == *size; }),
                  "recommend_size() returned a size not in the chart");
    }
  }
  (void)shop.delivery_days("新疆");
  (void)shop.emoji.for_channel("taobao");
  return f;
}

// ---- fuzz_template ---------------------------------------------------------

// Input: source '\0' height '\0' weight '\0' region '\0' channel; a part
// that is absent leaves its slot unset.
inline Finding fuzz_template(std::string_view input) {
  Finding f;
  const std::vector<std::string_view> parts = split(input, '\0', 5);
  const std::string_view source = parts[0];
  const reply::ShopFacts& shop = fuzz_shop();
  reply::ReplyTemplate::Vocabulary vocabulary;
  vocabulary.facts = &shop;
  vocabulary.slots = {"height", "weight", "region", "order_no"};
  reply::ReplyTemplate::Error error;
  const std::optional<reply::ReplyTemplate> compiled = reply::ReplyTemplate::compile(source, vocabulary, &error);
  if (!compiled) {
    FUZZ_EXPECT(f, !error.message.empty(), "compile() failed without a message");
    FUZZ_EXPECT(f, error.offset < source.size(), "compile() error offset past the source");
    return f;
  }
  FUZZ_EXPECT(f, compiled->source() == source, "source() differs from the source");

  common::SlotMap slots;
  static constexpr std::array<std::string_view, 3> kSlots = {"height", "weight", "region"};
  for (std::size_t i = 0; i < kSlots.size() && i + 1 < parts.size(); ++i) {
    slots.set(kSlots[i], std::string(parts[i + 1]));
  }
  const std::string_view channel = parts.size() > 4 ? parts[4] : std::string_view("default");
  const reply::CueTexts& cues = shop.emoji.for_channel(channel);

  static constexpr std::string_view kPrefix = "before|";
  std::string out(kPrefix);
  const bool ok = compiled->render(shop, slots, cues, out);
  if (!ok) {
    FUZZ_EXPECT(f, out == kPrefix, "render() failed but changed `out`");
    return f;
  }
  FUZZ_EXPECT(f, out.starts_with(kPrefix), "render() did not append to `out`");
  if (source.find_first_of("{}") == std::string_view::npos) {
    FUZZ_EXPECT(f, out.substr(kPrefix.size()) == source, "a template without braces does not render to itself");
  }
  if (common::is_valid_utf8(input)) {
    FUZZ_EXPECT(f, common::is_valid_utf8(out), cat({"render() of valid UTF-8 is not valid UTF-8: ", escaped(out)}));
  }
  return f;
}

// ---- fuzz_journal_replay ---------------------------------------------------

namespace detail {

// CRC-32 (IEEE, as zlib) bit by bit: the reference that journal.cpp's
// table-driven one is checked against.
inline std::uint32_t reference_crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char ch : data) {
    crc ^= static_cast<unsigned char>(ch);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
  }
  return crc ^ 0xFFFFFFFFu;
}

// The journal's documented line format (journal.hpp), read independently of
// journal.cpp: every record a complete line of 8 lower-case hex digits of
// the payload's CRC-32, a space, the payload.
struct ExpectedReplay {
  std::vector<std::string_view> records;
  std::size_t bad_lines = 0;
};

inline ExpectedReplay expected_replay(std::string_view log) {
  ExpectedReplay expected;
  while (!log.empty()) {
    const std::size_t newline = log.find('\n');
    if (newline == std::string_view::npos) {  // torn tail
      ++expected.bad_lines;
      break;
    }
    const std::string_view line = log.substr(0, newline);
    log.remove_prefix(newline + 1);
    const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    if (line.size() < 9 || line[8] != ' ' || !std::all_of(line.begin(), line.begin() + 8, hex)) {
      ++expected.bad_lines;
      continue;
    }
    const std::uint32_t stored = static_cast<std::uint32_t>(std::stoul(std::string(line.substr(0, 8)), nullptr, 16));
    const std::string_view payload = line.substr(9);
    if (reference_crc32(payload) != stored) {
      ++expected.bad_lines;
      continue;
    }
    expected.records.push_back(payload);
  }
  return expected;
}

}  // namespace detail

inline Finding fuzz_journal_replay(std::string_view input) {
  Finding f;
  const std::filesystem::path path = temp_dir() / "journal.log";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
    if (!FUZZ_EXPECT(f, out.good(), cat({"cannot write ", path.string()}))) return f;
  }
  const detail::ExpectedReplay expected = detail::expected_replay(input);
  FUZZ_EXPECT(f, store::crc32(input) == detail::reference_crc32(input), "store::crc32 differs from the reference");

  // As the daemon does (App::open_journal): a fresh service per start.
  static engine::EngineStore engines(shipped_engine());
  static NullOutbound outbound;
  static FixedClock clock;
  common::Metrics metrics;
  store::JournalStore store(metrics, clock, store::JournalStoreOptions{});
  service::ChatService service(engines, store, outbound, metrics, clock, chat::ChatOptions{});
  std::vector<std::string> replayed;
  store::JournalOptions options;
  options.path = path.string();
  options.sync = store::SyncPolicy::kNever;
  store::ReplayReport report;
  std::string error;
  std::unique_ptr<store::Journal> journal = store::Journal::open(
      options,
      [&](std::string_view record) {
        replayed.emplace_back(record);
        std::string why;
        (void)store.replay(record, &why);  // a record it cannot apply is skipped, as by the daemon
      },
      &report, &error);
  if (!FUZZ_EXPECT(f, journal != nullptr, cat({"Journal::open failed: ", error}))) return f;
  store.attach(*journal);

  FUZZ_EXPECT(f, report.bytes == input.size(), "report.bytes is not the log's size");
  FUZZ_EXPECT(f, report.records == replayed.size(), "report.records differs from the records replayed");
  FUZZ_EXPECT(f, report.bad_lines == expected.bad_lines,
              cat({"bad lines: reported ", std::to_string(report.bad_lines), ", expected ",
                   std::to_string(expected.bad_lines)}));
  FUZZ_EXPECT(f, report.problems.size() == std::min<std::size_t>(report.bad_lines, 20),
              "problems do not match bad lines");
  if (FUZZ_EXPECT(f, replayed.size() == expected.records.size(),
                  cat({"replayed ", std::to_string(replayed.size()), " records, the log has ",
                       std::to_string(expected.records.size()), " intact"}))) {
    for (std::size_t i = 0; i < replayed.size(); ++i) {
      FUZZ_EXPECT(f, replayed[i] == expected.records[i], cat({"record ", std::to_string(i), " replayed differently"}));
    }
  }
  // What the replayed state shows agents is well-formed.
  const std::string queue_frame = proto::encode(proto::QueueFrame{service.tickets()});
  FUZZ_EXPECT(f, common::is_valid_utf8(queue_frame), "queue frame after replay is not valid UTF-8");
  (void)service.queue_waiting();
  (void)service.oldest_waiting_seconds();
  journal.reset();  // close: flush, sync, join the writer
  return f;
}

}  // namespace xiaoer::fuzz

// fuzz_push_frames and fuzz_agent_http (issue 10): after the checks they use.
#include "fuzz/fuzz_protocol_targets.hpp"

namespace xiaoer::fuzz {

// ---- the table the regression test walks -----------------------------------

struct Target {
  std::string_view name;  // fuzz/<name>.cpp, fuzz/corpus/<name>/, tests/fuzz_regressions/<name>/
  Finding (*run)(std::string_view input);
};

inline constexpr std::array<Target, 10> kTargets = {{
    {"fuzz_gateway_frame", &fuzz_gateway_frame},
    {"fuzz_normalizer", &fuzz_normalizer},
    {"fuzz_classifier", &fuzz_classifier},
    {"fuzz_intent_loader", &fuzz_intent_loader},
    {"fuzz_config_loader", &fuzz_config_loader},
    {"fuzz_shop_loader", &fuzz_shop_loader},
    {"fuzz_template", &fuzz_template},
    {"fuzz_journal_replay", &fuzz_journal_replay},
    {"fuzz_push_frames", &fuzz_push_frames},
    {"fuzz_agent_http", &fuzz_agent_http},
}};

}  // namespace xiaoer::fuzz
