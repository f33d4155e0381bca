// What the coordinator adds to a run's output of its own, on stderr: a
// marked line when the run starts and one when it ends, failures the moment
// they are known (the ordered report on stdout may reach them much later),
// and, on a terminal, a live progress line (tests finished, failures,
// running tests, time left) that is wiped before anything else prints.
#ifndef GTEST_PARALLEL_PROGRESS_H_
#define GTEST_PARALLEL_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gtest_parallel {
namespace internal {

class Progress {
 public:
  // A test running now: its name, for how long, and how long the timing
  // history expects it to take (-1: not known).
  struct Running {
    std::string name;
    double seconds = 0;
    int64_t expected_ms = -1;
  };

  // `live`: draw the progress line (stderr is a terminal).
  explicit Progress(bool live) : live_(live) {}

  // True when stderr is an interactive terminal.
  static bool StderrIsTerminal();

  // `tests` will run on `workers`; the timing history expects
  // `expected_ms` of them in all, and does not know `unknown` of them.
  void Start(int tests, int workers, int64_t expected_ms, int unknown,
             const std::string& note);
  // A test finished (whenever the report reaches it): `expected_ms` is
  // what the history expected of it (-1: not known).
  void TestFinished(bool failed, int64_t expected_ms, int64_t elapsed_ms);
  void SetRunning(std::vector<Running> running) {
    running_ = std::move(running);
  }
  // Prints `line` on stderr now, above the live line.
  void Announce(const std::string& line);
  // Wipes the live line (before anything else prints).
  void Clear();
  // Whether Draw() without `force` would draw now.
  bool DrawDue() const;
  // Draws it again, at most a few times a second unless `force`.
  void Draw(bool force = false);
  // The closing line: "`outcome` in 1.2 s on 2 workers`summary`".
  void Finish(const std::string& outcome, const std::string& summary);

  // The estimate of the time left, in seconds, -1 when there is none:
  // what the history expects of the tests not finished (those it does not
  // know counted at the mean of the finished ones), less what the running
  // ones have done, over the workers. When it knows none of the tests left,
  // the pace so far: the time per finished test times the tests left.
  double SecondsLeft() const;
  int finished() const { return finished_; }
  int total() const { return total_; }

 private:
  using Clock = std::chrono::steady_clock;

  std::string Line() const;

  const bool live_;
  bool shown_ = false;
  int total_ = 0;
  int finished_ = 0;
  int failed_ = 0;
  int workers_ = 0;
  int64_t expected_left_ms_ = 0;  // Of the known tests not finished.
  int unknown_left_ = 0;          // Unknown tests not finished.
  int64_t finished_ms_ = 0;       // Sum of the finished tests' times.
  std::vector<Running> running_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PROGRESS_H_
