// The coordinator's own output lines (see progress.h).
#include "progress.h"

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

void Progress::Start(int tests, int workers, const std::string& note) {
  total_ = tests;
  workers_ = workers;
  start_ = Clock::now();
  std::fprintf(stderr, "[gtest_parallel] running %d %s on %d %s%s\n", tests,
               tests == 1 ? "test" : "tests", workers,
               workers == 1 ? "worker" : "workers", note.c_str());
  std::fflush(stderr);
}

void Progress::TestDone(bool failed) {
  ++done_;
  if (failed) ++failed_;
}

std::string Progress::Line() const {
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start_).count();
  std::string line = "[gtest_parallel] " + std::to_string(done_) + "/" +
                     std::to_string(total_) + " done";
  if (failed_ > 0) line += ", " + std::to_string(failed_) + " failed";
  if (done_ > 0 && done_ < total_) {
    const double left = elapsed / done_ * (total_ - done_);
    line += ", ~" + std::to_string(static_cast<int>(left + 0.5)) + " s left";
  }
  if (!running_.empty()) {
    line += " | running:";
    for (const auto& [name, seconds] : running_) {
      line +=
          " " + name + " (" + std::to_string(static_cast<int>(seconds)) + " s)";
    }
  }
  const size_t width = static_cast<size_t>(TerminalWidth() - 1);
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

void Progress::Clear() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

void Progress::Draw(bool force) {
  if (!live_) return;
  const auto now = Clock::now();
  if (!force && now - last_draw_ < kDrawEvery) return;
  last_draw_ = now;
  std::fputs(("\r\033[K" + Line()).c_str(), stderr);
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Finish(const std::string& summary) {
  Clear();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start_).count();
  std::fflush(stdout);  // GoogleTest's summary first.
  std::fprintf(stderr,
               "[gtest_parallel] %d/%d tests done in %.1f s on %d %s%s\n",
               done_, total_, elapsed, workers_,
               workers_ == 1 ? "worker" : "workers", summary.c_str());
  std::fflush(stderr);
}

}  // namespace internal
}  // namespace gtest_parallel
