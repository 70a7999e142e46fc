// The daemon's work per message above the transport: decode the frame →
// chat service (dedupe, rate limit, engine, answer) → encode, journal and
// deliver the answer. The journal writes to a temp file with sync=never, so
// this is CPU cost, not disk.
//
//   build/bench/service_bench --messages=FILE [benchmark flags]
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include "bench/bench_inputs.hpp"
#include "daemon/chat/outbound.hpp"
#include "daemon/service/chat_service.hpp"
#include "daemon/store/journal/journal_store.hpp"
#include "daemon/common/json_writer.hpp"
#include "daemon/engine/engine_store.hpp"
#include "daemon/proto/codec.hpp"

namespace {

using namespace xiaoer;

class NullOutbound final : public chat::Outbound {
 public:
  void to_gateway(const std::string&, proto::Push) override {}
  void to_agents(proto::TicketEventKind, const std::string&, const std::function<proto::TicketView()>&) override {}
  void ticket_closed(const std::string&) override {}
};

struct Setup {
  std::vector<std::string> messages;
  std::shared_ptr<const engine::Engine> engine;
};

Setup& setup() {
  static Setup s;
  return s;
}

// Frames as a gateway sends them: distinct ids over `chats` chats.
std::vector<std::string> frames(std::size_t count, std::size_t chats) {
  std::vector<std::string> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    proto::InboundMessage m;
    m.id = std::string("m-").append(std::to_string(i));
    m.chat = std::string("shop:buyer").append(std::to_string(i % chats));
    m.text = setup().messages[i % setup().messages.size()];
    m.channel = "taobao";
    out.push_back(proto::encode(m));
  }
  return out;
}

template <proto::GatewayFrame (*decode)(std::string_view, const proto::DecodeLimits&)>
void BM_DecodeFrame(benchmark::State& state) {
  const auto input = frames(4096, 1024);
  std::size_t i = 0;
  for (auto _ : state) {
    auto decoded = decode(input[i++ % input.size()], {});
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
}
// What the daemon runs (simdjson's one pass for a message frame), and the
// full decoder alone (nlohmann's DOM) it falls back to.
BENCHMARK(BM_DecodeFrame<proto::decode_gateway_frame>)->Name("BM_DecodeFrame");
BENCHMARK(BM_DecodeFrame<proto::decode_gateway_frame_in_full>)->Name("BM_DecodeFrameInFull");

// Escaping a buyer's text into a JSON string (every frame and journal
// record carries one).
void BM_JsonString(benchmark::State& state) {
  const std::vector<std::string>& texts = setup().messages;
  std::string out;
  std::size_t i = 0;
  for (auto _ : state) {
    out.clear();
    common::append_json_string(out, texts[i++ % texts.size()]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonString);

void BM_HandleMessage(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("xiaoer-service-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  engine::EngineStore engines(setup().engine);
  NullOutbound outbound;
  common::Metrics metrics;
  chat::SystemClock clock;
  chat::ChatOptions options;
  options.messages_per_second = 1e9;  // measure the path, not the limiter
  options.burst = 1 << 30;
  auto store = std::make_unique<store::JournalStore>(metrics, clock, store::JournalStoreOptions{});
  auto service = std::make_unique<service::ChatService>(engines, *store, outbound, metrics, clock, options);
  store::ReplayReport report;
  std::string error;
  auto journal = store::Journal::open({(dir / "journal.log").string(), store::SyncPolicy::kNever},
                                      [](std::string_view) {}, &report, &error);
  store->attach(*journal);
  const auto input = frames(1 << 16, static_cast<std::size_t>(state.range(0)));
  std::atomic<std::size_t> answered{0};
  std::size_t i = 0;
  for (auto _ : state) {
    auto decoded = proto::decode_gateway_frame(input[i++ % input.size()], {});
    if (auto* message = std::get_if<proto::InboundMessage>(&decoded)) {
      message->id.append("-").append(std::to_string(i));  // every message new, none a resend
      service->handle_message(std::move(*message), [&answered](proto::Answer answer) {
        // Encoded, as the connection does.
        const std::string frame = proto::encode(answer);
        benchmark::DoNotOptimize(frame.data());
        answered.fetch_add(1, std::memory_order_relaxed);
      });
    }
  }
  journal->flush();
  state.SetItemsProcessed(state.iterations());
  state.counters["answered"] = static_cast<double>(answered.load());
  journal.reset();
  service.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_HandleMessage)->Arg(1000)->Arg(100000)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  xiaoer::bench::BenchInputs inputs;
  if (!xiaoer::bench::load_bench_inputs(argc, argv, &inputs)) return 1;
  setup().engine = inputs.engine;
  setup().messages = std::move(inputs.messages);
  int rest_argc = static_cast<int>(inputs.benchmark_args.size());
  benchmark::Initialize(&rest_argc, inputs.benchmark_args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
