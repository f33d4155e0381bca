// The coordinator's own output lines (see progress.h).
#include "coordinator/progress.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(_WIN32)
#include <io.h>
#define isatty _isatty
#define STDERR_FILENO 2
#else
#include <sys/ioctl.h>
#include <unistd.h>
#endif

namespace gtest_parallel {
namespace internal {
namespace {

// How often the live line is redrawn.
constexpr auto kDrawEvery = std::chrono::milliseconds(200);

int TerminalWidth() {
#if !defined(_WIN32)
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) {
    return size.ws_col;
  }
#endif
  return 80;
}

}  // namespace

bool Progress::StderrIsTerminal() {
  const char* term = std::getenv("TERM");
  return isatty(STDERR_FILENO) && term != nullptr &&
         std::strcmp(term, "dumb") != 0;
}

void Progress::Start(int tests, int workers, int64_t expected_ms, int unknown,
                     const std::string& note) {
  total_ = tests;
  workers_ = workers;
  expected_left_ms_ = expected_ms;
  unknown_left_ = unknown;
  start_ = Clock::now();
  std::fprintf(stderr, "[gtest_parallel] running %d %s on %d %s%s\n", tests,
               tests == 1 ? "test" : "tests", workers,
               workers == 1 ? "worker" : "workers", note.c_str());
  std::fflush(stderr);
}

void Progress::TestFinished(bool failed, int64_t expected_ms,
                            int64_t elapsed_ms) {
  ++finished_;
  if (failed) ++failed_;
  finished_ms_ += std::max<int64_t>(0, elapsed_ms);
  if (expected_ms >= 0) {
    expected_left_ms_ = std::max<int64_t>(0, expected_left_ms_ - expected_ms);
  } else if (unknown_left_ > 0) {
    --unknown_left_;
  }
}

double Progress::SecondsLeft() const {
  if (finished_ >= total_ || workers_ <= 0) return -1;
  if (unknown_left_ >= total_ - finished_ && expected_left_ms_ == 0) {
    // The history knows none of them: by the count, at the pace so far.
    if (finished_ == 0) return -1;
    const double elapsed =
        std::chrono::duration<double>(Clock::now() - start_).count();
    return elapsed / finished_ * (total_ - finished_);
  }
  const double mean =
      finished_ > 0 ? static_cast<double>(finished_ms_) / finished_ : -1;
  if (unknown_left_ > 0 && mean < 0) return -1;
  double work_ms = static_cast<double>(expected_left_ms_) +
                   unknown_left_ * std::max(mean, 0.0);
  double longest_ms = 0;  // No worker ends before its running test does.
  for (const Running& test : running_) {
    const double expected =
        test.expected_ms >= 0 ? static_cast<double>(test.expected_ms) : mean;
    if (expected < 0) continue;
    work_ms -= std::min(test.seconds * 1000, expected);
    longest_ms = std::max(longest_ms, expected - test.seconds * 1000);
  }
  return std::max(std::max(work_ms, 0.0) / workers_, longest_ms) / 1000;
}

std::string Progress::Line() const {
  std::string line = "[gtest_parallel] " + std::to_string(finished_) + "/" +
                     std::to_string(total_) + " done";
  if (failed_ > 0) line += ", " + std::to_string(failed_) + " failed";
  if (const double left = SecondsLeft(); left >= 0) {
    line +=
        ", ~" + std::to_string(static_cast<int64_t>(left + 0.5)) + " s left";
  }
  if (!running_.empty()) {
    line += " | running:";
    for (const Running& test : running_) {
      line += " " + test.name + " (" +
              std::to_string(static_cast<int>(test.seconds)) + " s)";
    }
  }
  const size_t width = static_cast<size_t>(TerminalWidth() - 1);
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

void Progress::Announce(const std::string& line) {
  const bool redraw = shown_;
  Clear();
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
  if (redraw) Draw(true);
}

void Progress::Clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

bool Progress::DrawDue() const {
  return live_ && Clock::now() - last_draw_ >= kDrawEvery;
}

void Progress::Draw(bool force) {
  if (!live_) return;
  if (!force && !DrawDue()) return;
  last_draw_ = Clock::now();
  std::fputs(("\r\033[K" + Line()).c_str(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Finish(const std::string& outcome, const std::string& summary) {
  Clear();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start_).count();
  std::fflush(stdout);  // GoogleTest's summary first.
  std::fprintf(stderr, "[gtest_parallel] %s in %.1f s on %d %s%s\n",
               outcome.c_str(), elapsed, workers_,
               workers_ == 1 ? "worker" : "workers", summary.c_str());
  std::fflush(stderr);
}

}  // namespace internal
}  // namespace gtest_parallel
