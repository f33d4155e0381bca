// What the coordinator shows while the ordered report waits for a slow
// test (`faults_hang`: Slow.TakesThreeSeconds is registered before
// FailsAtOnce.AfterTheSlowOne and the Quick tests): without a terminal, a
// failure is named on stderr the moment it is known; on a terminal (a
// pseudo-terminal here), the progress line counts finished tests, not
// printed ones, takes its estimate of the time left from the timing
// history, and failures are printed above it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "fixture_programs.h"
#include "scenario.h"

extern char** environ;

namespace faults {
namespace {

constexpr char kFilter[] =
    "--gtest_filter=Slow.TakesThreeSeconds:FailsAtOnce.*:Quick/*";
constexpr char kLiveFailure[] =
    "[gtest_parallel] FAILED FailsAtOnce.AfterTheSlowOne (";

TEST(Console, AFailureIsNamedOnStderrBeforeTheReportReachesIt) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  // The suites on different workers whatever the history says.
  FixtureRun run(FixtureArgv(kHang,
                             {"--gtest_parallel=2",
                              "--gtest_parallel_split=always", kFilter},
                             xml),
                 {});
  ASSERT_TRUE(run.WaitForError(kLiveFailure, 30))
      << run.CommandLine() << "\nstderr:\n"
      << run.err();
  // Slow.TakesThreeSeconds still runs: the report has not gone past it.
  EXPECT_EQ(run.out().find("[       OK ] Slow.TakesThreeSeconds"),
            std::string::npos)
      << run.out();
  const Outcome outcome = Finish(&run, xml, 60);
  EXPECT_EQ(outcome.run.exit_code, 1) << outcome.Context();
  EXPECT_TRUE(std::regex_search(
      outcome.run.err,
      std::regex(R"(\[gtest_parallel\] FAILED FailsAtOnce\.AfterTheSlowOne )"
                 R"(\(\d+\.\d s, worker [12]\)\n)")))
      << outcome.Context();
  // Named once, and the report still has it in its place.
  EXPECT_EQ(outcome.run.err.find(kLiveFailure),
            outcome.run.err.rfind(kLiveFailure))
      << outcome.Context();
  EXPECT_NE(outcome.run.out.find("[  FAILED  ] FailsAtOnce.AfterTheSlowOne ("),
            std::string::npos)
      << outcome.Context();
  EXPECT_EQ(outcome.leftovers, "") << outcome.Context();
}

// The run's output through a pseudo-terminal of 120 x 40, and how it ended.
struct TerminalRun {
  std::string text;
  int status = -1;
  bool timed_out = false;
};

// Runs `argv` with stdin, stdout and stderr on a new pseudo-terminal
// (TERM=xterm; GTEST_* variables dropped), for at most `seconds`.
TerminalRun RunInTerminal(const std::vector<std::string>& argv,
                          double seconds) {
  TerminalRun run;
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
    ADD_FAILURE() << "no pseudo-terminal";
    return run;
  }
  const std::string slave_name = ptsname(master);
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    const int slave = open(slave_name.c_str(), O_RDWR);
    winsize size{};
    size.ws_row = 40;
    size.ws_col = 120;
    ioctl(slave, TIOCSCTTY, 0);
    ioctl(slave, TIOCSWINSZ, &size);
    for (int fd = 0; fd <= 2; ++fd) dup2(slave, fd);
    std::vector<std::string> drop;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string name(*entry, std::strchr(*entry, '=') - *entry);
      if (name.rfind("GTEST_", 0) == 0 || name.rfind("FAULTS_", 0) == 0) {
        drop.push_back(name);
      }
    }
    for (const std::string& name : drop) unsetenv(name.c_str());
    setenv("TERM", "xterm", 1);
    execv(args[0], args.data());
    _exit(127);
  }
  const auto until =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  char buffer[4096];
  while (true) {
    if (std::chrono::steady_clock::now() > until) {
      kill(-pid, SIGKILL);
      run.timed_out = true;
      break;
    }
    pollfd watch{master, POLLIN, 0};
    if (poll(&watch, 1, 100) <= 0) continue;
    const ssize_t got = read(master, buffer, sizeof(buffer));
    if (got <= 0) break;  // EIO: every holder of the terminal closed it.
    run.text.append(buffer, static_cast<size_t>(got));
  }
  waitpid(pid, &run.status, 0);
  close(master);
  return run;
}

// The progress lines the run drew: the text after each "\r\033[K" up to
// the next control character.
std::vector<std::string> ProgressLines(const std::string& text) {
  std::vector<std::string> lines;
  const std::string wipe = "\r\033[K";
  for (size_t at = text.find(wipe); at != std::string::npos;
       at = text.find(wipe, at + 1)) {
    const size_t start = at + wipe.size();
    const size_t end = text.find_first_of("\r\n\033", start);
    std::string line = text.substr(start, end - start);
    if (line.rfind("[gtest_parallel] ", 0) == 0) lines.push_back(line);
  }
  return lines;
}

TEST(Console, TheProgressLineCountsFinishedTestsAndUsesTheHistory) {
  ScratchDir scratch;
  const std::vector<std::string> argv{
      kHang, "--gtest_parallel=2", "--gtest_parallel_split=always",
      "--gtest_parallel_timing_file=" + scratch.File("timings"), kFilter};
  // The first run leaves the history the second one estimates from.
  const TerminalRun first = RunInTerminal(argv, 60);
  ASSERT_FALSE(first.timed_out) << first.text;
  const TerminalRun run = RunInTerminal(argv, 60);
  ASSERT_FALSE(run.timed_out) << run.text;
  EXPECT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 1)
      << run.text;

  // While the report waits for Slow.TakesThreeSeconds, the 11 other tests
  // are done (one failed), and what is left is that test's remaining time
  // by the history (3 s), not 1/12 of the time so far.
  const std::regex waiting(
      R"(\[gtest_parallel\] 11/12 done, 1 failed, ~(\d+) s left \| )"
      R"(running: Slow\.TakesThreeSeconds \((\d) s\))");
  bool seen = false;
  for (const std::string& line : ProgressLines(run.text)) {
    std::smatch match;
    if (!std::regex_search(line, match, waiting)) continue;
    seen = true;
    const int left = std::stoi(match[1]), running = std::stoi(match[2]);
    EXPECT_LE(left, 3) << line;
    EXPECT_GE(left + running, 2) << line;
  }
  EXPECT_TRUE(seen) << "no progress line while the slow test ran:\n"
                    << run.text;
  // The failure was printed as a line of its own (above the progress line
  // if one was drawn).
  EXPECT_TRUE(std::regex_search(
      run.text,
      std::regex(
          R"((\n|\r\x1b\[K)\[gtest_parallel\] FAILED )"
          R"(FailsAtOnce\.AfterTheSlowOne \(\d+\.\d s, worker \d\)\r?\n)")))
      << run.text;
  EXPECT_NE(run.text.find("[gtest_parallel] 12/12 tests done in "),
            std::string::npos)
      << run.text;
}

}  // namespace
}  // namespace faults
