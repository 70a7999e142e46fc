// The tuning loop against the real daemon (docs/tuning.md, issue 13): the
// traffic sample keeps only what the bot did not settle, within its cap and
// retention, and writes nothing when off; `xiaoerd reload` reports a broken
// intent file's errors, a good one's change on the recent messages, and the
// guard refuses a reload that changes too much unless forced.
//
// Every buyer text here is written for these tests.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>

#include "tests/integration/it_support.hpp"

namespace xiaoer::it {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Texts the shipped intents answer, do not recognise, and ask back on.
constexpr const char* kSettled = "发什么快递";
const std::vector<std::string> kUnrecognised = {"火星上今天刮风吗", "这首歌叫什么名字", "月亮离这里多远"};
// A cluster the shipped intents do not know, that the test's edit adds.
const std::vector<std::string> kTradeIn = {"可以以旧换新吗", "以旧换新怎么折价", "旧手机能以旧换新不",
                                           "以旧换新要多久", "以旧换新的流程是什么"};

struct CommandResult {
  int status = -1;
  std::string out, err;
};

// Runs `xiaoerd ARGS…` (the binary under test) and collects its output.
CommandResult run_xiaoerd(const std::vector<std::string>& args, const fs::path& scratch) {
  const char* other = std::getenv("XIAOER_DAEMON_BINARY");
  std::string command = other != nullptr && *other != '\0' ? other : XIAOER_DAEMON_PATH;
  for (const std::string& arg : args) command += " '" + arg + "'";
  const fs::path err_file = scratch / "command.err";
  command += " 2>'" + err_file.string() + "'";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = read_file(err_file);
  return result;
}

std::vector<json> sample_lines(const fs::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line, nullptr, false));
  return out;
}

std::uintmax_t bytes_of_sample(const fs::path& dir) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) total += entry.file_size();
  return total;
}

class TuningTest : public ItTest {
 protected:
  fs::path sample_dir() const { return daemon_->dir() / "sample"; }

  // A daemon with the sample on (and `more` in its config).
  bool start_sampling(const std::string& more = "", std::function<void(DaemonProcess&)> before_start = {}) {
    DaemonProcess& daemon = make();
    DaemonConfig config;
    config.extra_yaml = "sample:\n  keep: unsettled\n  path: \"" + (daemon.dir() / "sample" / "traffic.jsonl").string() +
                        "\"\n" + more;
    daemon.write_config(config);
    if (before_start) before_start(daemon);
    return start();
  }

  // Each text as the first message of a chat of its own.
  void say_each(WsClient& gw, const std::vector<std::string>& texts, const std::string& tag) {
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const auto answer = ask(gw, numbered(tag + "-", static_cast<long long>(i)),
                              numbered("shop9:" + tag, static_cast<long long>(i)), texts[i]);
      ASSERT_TRUE(answer);
    }
  }
};

TEST_F(TuningTest, TheSampleKeepsOnlyWhatTheBotDidNotSettle) {
  ASSERT_TRUE(start_sampling());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  std::vector<std::string> texts = kUnrecognised;
  texts.insert(texts.end(), 5, kSettled);
  say_each(*gw, texts, "keep");
  const fs::path file = sample_dir() / "traffic.jsonl";
  ASSERT_TRUE(wait_until([&] { return sample_lines(file).size() >= kUnrecognised.size(); }, 5000ms));
  std::this_thread::sleep_for(200ms);  // nothing more comes
  const std::vector<json> lines = sample_lines(file);
  ASSERT_EQ(lines.size(), kUnrecognised.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["text"], kUnrecognised[i]);
    EXPECT_EQ(lines[i]["decision"], "fallback");
    EXPECT_EQ(lines[i]["intents"], json::array());
    EXPECT_EQ(lines[i]["chat"].get<std::string>().size(), 16u);  // hashed, not the chat id
    EXPECT_TRUE(lines[i]["ts"].is_number());
  }
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TuningTest, TheSampleWritesNothingWhenOff) {
  ASSERT_TRUE(start());
  auto gw = gateway();
  ASSERT_TRUE(gw);
  say_each(*gw, kUnrecognised, "off");
  std::this_thread::sleep_for(200ms);
  for (const auto& entry : fs::recursive_directory_iterator(daemon_->dir())) {
    EXPECT_EQ(entry.path().filename().string().find("traffic"), std::string::npos) << entry.path();
  }
}

TEST_F(TuningTest, TheSampleHonoursItsCapAndRetention) {
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(24 * 30);
  ASSERT_TRUE(start_sampling("  max_kb: 16\n  retention_days: 7\n", [&](DaemonProcess& daemon) {
    const fs::path dir = daemon.dir() / "sample";
    fs::create_directories(dir);
    std::ofstream(dir / "traffic.jsonl.1000") << "{\"ts\":1000,\"text\":\"a month old\"}\n";
    fs::last_write_time(dir / "traffic.jsonl.1000", old);
  }));
  EXPECT_FALSE(fs::exists(sample_dir() / "traffic.jsonl.1000")) << "a file past the retention is still there";
  auto gw = gateway();
  ASSERT_TRUE(gw);
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) texts.push_back(kUnrecognised[static_cast<std::size_t>(i) % 3] + numbered(" #", i));
  say_each(*gw, texts, "cap");
  const fs::path file = sample_dir() / "traffic.jsonl";
  ASSERT_TRUE(wait_until(
      [&] {
        const auto lines = sample_lines(file);
        return !lines.empty() && lines.back()["text"] == texts.back();
      },
      5000ms));
  EXPECT_LE(bytes_of_sample(sample_dir()), 16u << 10);
  EXPECT_GT(bytes_of_sample(sample_dir()), 8u << 10);
}

class ReloadCommandTest : public TuningTest {
 protected:
  // A daemon over a copy of the shipped intents, with `guard` as
  // reload.max_changed_share, that has answered 5 trade-in questions and
  // 25 others.
  void SetUp() override {
    DaemonProcess& daemon = make();
    intents_ = daemon.dir() / "intents";
    fs::copy(fs::path(XIAOER_SOURCE_DIR) / "intents", intents_, fs::copy_options::recursive);
  }

  bool start_with_guard(const std::string& guard) {
    DaemonConfig config;
    config.intents_dir = intents_.string();
    config.extra_yaml = "reload: {max_changed_share: " + guard + "}\n";
    daemon_->write_config(config);
    if (!start()) return false;
    auto gw = gateway();
    if (!gw) return false;
    std::vector<std::string> texts = kTradeIn;
    for (int i = 0; i < 25; ++i) texts.push_back(i % 2 == 0 ? kSettled : kUnrecognised[static_cast<std::size_t>(i) % 3]);
    say_each(*gw, texts, "recent");
    return !HasFailure();
  }

  CommandResult reload(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"reload", "--config", daemon_->config_path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_xiaoerd(args, daemon_->dir());
  }

  void add_trade_in_intent() {
    std::ofstream(intents_ / "trade_in.yaml") << R"(topic: trade_in
intents:
  trade_in.how:
    keywords: {以旧换新: 4}
    replies: ['亲，以旧换新请在订单页申请哦']
    examples: ['可以以旧换新吗']
)";
  }

  fs::path intents_;
};

TEST_F(ReloadCommandTest, ABrokenIntentFileFailsWithItsErrorsAndAGoodOneReportsItsChange) {
  ASSERT_TRUE(start_with_guard("0.5"));
  std::ofstream(intents_ / "broken.yaml")
      << "topic: broken\nintents:\n  broken.one:\n    patterns: ['(unclosed']\n    replies: ['亲']\n"
         "    examples: ['unclosed']\n";
  const CommandResult broken = reload();
  EXPECT_EQ(broken.status, 1) << broken.out << broken.err;
  EXPECT_NE(broken.err.find("broken.yaml:4:"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("reload: failed; the running set is kept"), std::string::npos) << broken.err;

  fs::remove(intents_ / "broken.yaml");
  add_trade_in_intent();
  const CommandResult good = reload();
  ASSERT_EQ(good.status, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("reloaded: "), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("recent messages: 30 messages, 5 changed (16.7 %)"), std::string::npos) << good.out;
  EXPECT_NE(good.out.find("     5  none (fallback) → trade_in.how\n"), std::string::npos) << good.out;
  auto gw = gateway();
  ASSERT_TRUE(gw);
  const auto answer = ask(*gw, "after-1", "shop9:after", kTradeIn[0]);
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["intents"][0], "trade_in.how") << answer->dump();
}

TEST_F(ReloadCommandTest, TheGuardRefusesAChangeOverItsShareUnlessForced) {
  ASSERT_TRUE(start_with_guard("0.1"));
  add_trade_in_intent();
  const CommandResult refused = reload();
  EXPECT_EQ(refused.status, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("changes 16.7 % of the 30 recent answers, more than reload.max_changed_share (10.0 %)"),
            std::string::npos)
      << refused.err;
  // SIGHUP is refused alike.
  const std::size_t mark = daemon_->log().size();
  daemon_->signal(SIGHUP);
  EXPECT_TRUE(daemon_->wait_for_log("more than reload.max_changed_share", 5000ms, mark)) << daemon_->log();

  const CommandResult forced = reload({"--force"});
  ASSERT_EQ(forced.status, 0) << forced.out << forced.err;
  EXPECT_NE(forced.out.find("5 changed"), std::string::npos) << forced.out;
}

TEST_F(ReloadCommandTest, NoDaemonIsAnError) {
  const CommandResult none = reload();
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.err.find("cannot reach the daemon at " + daemon_->admin_socket().string()), std::string::npos)
      << none.err;
}

}  // namespace
}  // namespace xiaoer::it
