// What the coordinator adds to a run's output of its own, on stderr: a
// marked line when the run starts and one when it ends, and, on a terminal,
// a live progress line (done/total, failures, running tests, time left)
// that is wiped before GoogleTest prints anything.
#ifndef GTEST_PARALLEL_PROGRESS_H_
#define GTEST_PARALLEL_PROGRESS_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace gtest_parallel {
namespace internal {

class Progress {
 public:
  // `live`: draw the progress line (stderr is a terminal).
  explicit Progress(bool live) : live_(live) {}

  // True when stderr is an interactive terminal.
  static bool StderrIsTerminal();

  void Start(int tests, int workers, const std::string& note);
  void TestDone(bool failed);
  // Names and seconds of the tests running now, for the live line.
  void SetRunning(std::vector<std::pair<std::string, double>> running) {
    running_ = std::move(running);
  }
  // Wipes the live line (before anything else prints).
  void Clear();
  // Draws it again, at most a few times a second unless `force`.
  void Draw(bool force = false);
  void Finish(const std::string& summary);

 private:
  using Clock = std::chrono::steady_clock;

  std::string Line() const;

  const bool live_;
  bool shown_ = false;
  int total_ = 0;
  int done_ = 0;
  int failed_ = 0;
  int workers_ = 0;
  std::vector<std::pair<std::string, double>> running_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PROGRESS_H_
