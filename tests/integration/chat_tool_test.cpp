// `xiaoerd chat` (the engineer's way to talk to a running daemon as a
// gateway) against the real daemon: --say prints the answers and exits;
// interactive, it answers each typed line, and when the daemon goes away
// while the terminal is still open it ends cleanly (issue 10, defect 7:
// its stdin reader was left holding references into the ended call).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/it_support.hpp"

extern char** environ;

namespace xiaoer::it {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// `xiaoerd chat` with a pipe for its stdin and a file for its output.
class ChatProcess {
 public:
  ChatProcess(const std::vector<std::string>& args, const fs::path& out_file) : out_file_(out_file) {
    int in[2];
    if (::pipe(in) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> all = {XIAOER_DAEMON_PATH, "chat"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    stdin_ = in[1];
  }
  ~ChatProcess() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChatProcess(const ChatProcess&) = delete;
  ChatProcess& operator=(const ChatProcess&) = delete;

  bool running() const { return pid_ > 0; }
  bool type(const std::string& line) {
    const std::string text = line + "\n";
    return ::write(stdin_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  }
  std::string output() const {
    std::ifstream in(out_file_);
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
  }
  bool wait_output(const std::string& needle, Millis timeout) const {
    return wait_until([&] { return output().find(needle) != std::string::npos; }, timeout);
  }
  // The raw wait status once it ended within `timeout`.
  std::optional<int> wait_exit(Millis timeout) {
    int status = 0;
    const bool ended = wait_until(
        [&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
    if (!ended) return std::nullopt;
    pid_ = -1;
    return status;
  }

 private:
  fs::path out_file_;
  pid_t pid_ = -1;
  int stdin_ = -1;
};

class ChatToolTest : public ItTest {
 protected:
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/v1/gateway"; }
  fs::path out_file(const char* name) const { return daemon_->dir() / name; }
};

TEST_F(ChatToolTest, SayPrintsEachAnswerAndExits) {
  ASSERT_TRUE(start());
  ChatProcess chat({url(), "--token", DaemonProcess::kGatewayToken, "--chat", "shop7:tool1", "--say", "发什么快递",
                    "--say", "转人工"},
                   out_file("say.out"));
  ASSERT_TRUE(chat.running());
  const auto status = chat.wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << "xiaoerd chat --say did not end\n" << chat.output();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status << "\n" << chat.output();
  const std::string out = chat.output();
  EXPECT_NE(out.find("小二: "), std::string::npos) << out;
  EXPECT_NE(out.find("小二 → 人工 ("), std::string::npos) << out;
}

TEST_F(ChatToolTest, TypedLinesAreAnsweredAndTheDaemonsEndEndsTheToolCleanly) {
  ASSERT_TRUE(start());
  ChatProcess chat({url(), "--token", DaemonProcess::kGatewayToken, "--chat", "shop7:tool2"}, out_file("typed.out"));
  ASSERT_TRUE(chat.running());
  ASSERT_TRUE(chat.wait_output("connected as chat shop7:tool2", 10s)) << chat.output();
  ASSERT_TRUE(chat.type("发什么快递"));
  ASSERT_TRUE(chat.wait_output("小二: ", 10s)) << chat.output();
  // The terminal stays open (the reader is blocked on it) while the daemon
  // stops: the tool ends by itself, without a crash.
  EXPECT_EQ(daemon_->stop(), 0);
  const auto status = chat.wait_exit(10s);
  ASSERT_TRUE(status.has_value()) << "xiaoerd chat outlived its connection\n" << chat.output();
  EXPECT_TRUE(WIFEXITED(*status)) << "ended by signal " << (WIFSIGNALED(*status) ? WTERMSIG(*status) : 0) << "\n"
                                  << chat.output();
}

}  // namespace
}  // namespace xiaoer::it
