// Fuzz support: what the fuzz targets (fuzz/fuzz_*.cpp) and their regression
// test (tests/fuzz/fuzz_regressions_test.cpp) share.
//
// The targets' bodies live in fuzz_targets.hpp as plain functions of the
// input bytes, so that libFuzzer and the GoogleTest build run the very same
// code on a crasher. A body returns a Finding: "" when every property it
// checks holds, else what broke. A crash (ASan, UBSan, an uncaught
// exception) is a finding too, of course, but libFuzzer sees that itself.
//
// The shared state (OpenCC normaliser, the shipped engine, a temp dir) is
// built once per process, on first use; LLVMFuzzerInitialize touches it so
// that a broken checkout fails at start rather than on the first input.
//
// Thread safety: the lazily built statics are thread-safe (C++ magic
// statics); the bodies themselves are meant for one thread.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/chat/outbound.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/nlu/normalizer.hpp"

#ifndef XIAOER_SOURCE_DIR
#error "XIAOER_SOURCE_DIR must name the repository (the shipped intents and shop facts are read from it)"
#endif

namespace xiaoer::fuzz {

// What a body found: "" when nothing.
using Finding = std::string;

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Bytes as C-style escapes, for findings: printable ASCII as is, the rest \xNN.
inline std::string escaped(std::string_view bytes, std::size_t max_bytes = 200) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (bytes.size() > max_bytes) out += "...";
  return out;
}

// The parts one after another (GCC 12 warns falsely, -Wrestrict, on
// "literal" + std::string, so findings are built with this).
inline std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) out.append(part);
  return out;
}

// Appends `what` and a newline to `finding`; is false (for FUZZ_EXPECT).
inline bool fail(Finding& finding, std::string_view what) {
  finding += what;
  finding += '\n';
  return false;
}

// The parts of `input` between `separator` bytes, at most `max_parts` (the
// last part keeps any further separators). Always at least one part.
inline std::vector<std::string_view> split(std::string_view input, char separator, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t at = input.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(input.substr(0, at));
    input.remove_prefix(at + 1);
  }
  parts.push_back(input);
  return parts;
}

// Prints `finding` with the target's name and aborts (libFuzzer then saves
// the input as a crash) unless it is empty.
inline void report(std::string_view target, const Finding& finding) {
  if (finding.empty()) return;
  std::fprintf(stderr, "\n==%s== property violated:\n%s\n", std::string(target).c_str(), finding.c_str());
  std::abort();
}

// The repository: $XIAOER_SOURCE_DIR when set, else where the build was
// configured from.
inline std::filesystem::path source_dir() {
  if (const char* dir = std::getenv("XIAOER_SOURCE_DIR"); dir != nullptr && *dir != '\0') return dir;
  return XIAOER_SOURCE_DIR;
}

[[noreturn]] inline void die(const std::string& why) {
  std::fprintf(stderr, "fuzz setup failed: %s\n", why.c_str());
  std::exit(2);
}

// Debian's OpenCC dictionary, as the daemon uses it.
inline std::shared_ptr<const nlu::Normalizer> shared_normalizer() {
  static const std::shared_ptr<const nlu::Normalizer> shared = [] {
    std::string error;
    auto n = nlu::Normalizer::from_opencc(std::string(nlu::Normalizer::kDefaultDictionary), &error);
    if (!n) die(error);
    return n;
  }();
  return shared;
}

inline const nlu::Normalizer& normalizer() { return *shared_normalizer(); }

// The engine of the shipped intents/ and config/shop.yaml.
inline std::shared_ptr<const engine::Engine> shipped_engine() {
  static const std::shared_ptr<const engine::Engine> shared = [] {
    engine::EngineSources sources;
    sources.intents_dir = (source_dir() / "intents").string();
    sources.shop_file = (source_dir() / "config" / "shop.yaml").string();
    engine::Engine::LoadResult loaded = engine::Engine::load(sources);
    if (!loaded.engine) {
      std::string why("the shipped engine does not load:");
      for (const auto& d : loaded.diagnostics) {
        why += "\n  ";
        why += d.to_string();
      }
      die(why);
    }
    return loaded.engine;
  }();
  return shared;
}

// A directory of this process's own, removed at exit.
inline const std::filesystem::path& temp_dir() {
  struct Dir {
    Dir() {
      std::string name = "xiaoer-fuzz-";
      name += std::to_string(::getpid());
      path = std::filesystem::temp_directory_path() / name;
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
      std::filesystem::create_directories(path, ec);
      if (ec) die(cat({"cannot create ", path.string(), ": ", ec.message()}));
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
    std::filesystem::path path;
  };
  static const Dir dir;
  return dir.path;
}

// The chat service's collaborators, doing nothing.
class NullOutbound final : public chat::Outbound {
 public:
  void to_gateway(const std::string&, proto::Push) override {}
  void to_agents(proto::TicketEventKind, const std::string&,
                 const std::function<proto::TicketView()>& shown) override {
    (void)shown();  // build and decorate: fuzz that too
  }
  void ticket_closed(const std::string&) override {}
};

class FixedClock final : public chat::Clock {
 public:
  std::int64_t now_ms() const override { return 1'700'000'000'000; }
  int minute_of_day() const override { return 12 * 60; }
};

}  // namespace xiaoer::fuzz

// True when `ok`; else appends `what` to `finding` (fail()) and is false.
// A macro so that `what` is built only when the property fails: the targets
// evaluate these millions of times.
#define FUZZ_EXPECT(finding, ok, what) (static_cast<bool>(ok) || ::xiaoer::fuzz::fail((finding), (what)))

// Defines libFuzzer's entry point as a call of the body xiaoer::fuzz::name
// (fuzz_targets.hpp); a finding aborts, which libFuzzer reports as a crash.
#define XIAOER_FUZZ_TARGET(name)                                                              \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {         \
    ::xiaoer::fuzz::report(#name, ::xiaoer::fuzz::name(::xiaoer::fuzz::as_text(data, size))); \
    return 0;                                                                                 \
  }
