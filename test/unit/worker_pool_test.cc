// Unit tests of the worker pool (coordinator/worker_pool.h) with stand-in
// workers: shell commands that exit, write, garble their channel or hang.
// What the pool reports of them through its events is checked; no test
// runs in them. POSIX only: the workers are shell commands that find their
// channel at file descriptor 4 (the Windows build is checked end to end).
#if !defined(_WIN32)
#include "coordinator/worker_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/scratch.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Records the pool's events (called with the pool's lock held).
class Recorder : public WorkerPool::Events {
 public:
  void OnMessage(int /*id*/, const Message& /*message*/) override {
    ++messages;
  }
  bool OnWorkerLost(int id, const Ending& ending) override {
    lost.push_back(ending);
    outputs.push_back(OutputOf(id));
    return replacements-- > 0;
  }
  void OnCannotStart(int /*id*/, const std::string& error) override {
    cannot_start = error;
  }
  void OnWorkerLeft(int id, const Ending& ending) override {
    left.push_back(ending);
    outputs.push_back(OutputOf(id));
  }
  void OnInterrupted(int /*signal*/) override {}

  WorkerPool* pool = nullptr;
  int replacements = 0;  // How many deaths get a new process.
  int messages = 0;
  std::vector<Ending> lost, left;
  std::vector<std::string> outputs;  // Per event, what the worker wrote.
  std::string cannot_start;

 private:
  std::string OutputOf(int id) {
    Record record;
    pool->TakeAllOutputLocked(id, &record);
    std::string output;
    for (const Record::Item& item : record.items) output += item.output;
    return output;
  }
};

class WorkerPoolTest : public testing::Test {
 protected:
  // Starts `workers` workers, each running `script` with /bin/sh (its
  // channel's event pipe is file descriptor 4).
  void Start(const std::string& script, int workers = 1) {
    pool_ = std::make_unique<WorkerPool>(
        options_, plan_, std::vector<std::string>{"/bin/sh", "-c", script},
        &recorder_);
    recorder_.pool = pool_.get();
    std::lock_guard<std::mutex> lock(pool_->mutex());
    std::string error;
    pool_->StartLocked(workers, &error);
    EXPECT_EQ(error, "");
  }

  // Waits, at most 20 s, until `done` holds (it runs under the lock).
  template <typename Predicate>
  bool WaitFor(Predicate done) {
    std::unique_lock<std::mutex> lock(pool_->mutex());
    return pool_->changed().wait_for(lock, std::chrono::seconds(20), done);
  }

  // Shuts the pool down; the seconds it took.
  double ShutDown() {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(pool_->mutex());
    pool_->ShutDownLocked(&lock);
    lock.unlock();
    pool_->Join();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }

  void TearDown() override {
    if (pool_) ShutDown();
    pool_.reset();
    ScratchSpace::Get().Finish(false);
  }

  Options options_;
  const TestPlan plan_{};  // No tests: the workers run none.
  Recorder recorder_;
  std::unique_ptr<WorkerPool> pool_;
};

TEST_F(WorkerPoolTest, ReportsAWorkerThatExitsWithWhatItWrote) {
  Start("echo from the worker; exit 3");
  ASSERT_TRUE(WaitFor([&] {
    return recorder_.lost.size() == 1 && !pool_->AnyProcessLocked();
  }));
  const Ending& ending = recorder_.lost[0];
  EXPECT_TRUE(ending.status.exited);
  EXPECT_EQ(ending.status.code, 3);
  EXPECT_EQ(ending.cause, "exited with status 3");
  EXPECT_FALSE(ending.killed);
  EXPECT_EQ(recorder_.outputs[0], "from the worker\n");
  EXPECT_EQ(recorder_.messages, 0);
}

TEST_F(WorkerPoolTest, TellsEachWorkerItsNumber) {
  Start("echo \"$GTEST_PARALLEL_WORKER of $GTEST_PARALLEL_WORKERS\"", 2);
  ASSERT_TRUE(WaitFor([&] {
    return recorder_.lost.size() == 2 && !pool_->AnyProcessLocked();
  }));
  std::vector<std::string> outputs = recorder_.outputs;
  std::sort(outputs.begin(), outputs.end());
  EXPECT_EQ(outputs, (std::vector<std::string>{"1 of 2\n", "2 of 2\n"}));
}

TEST_F(WorkerPoolTest, StartsANewProcessOnlyWhenAsked) {
  recorder_.replacements = 2;
  Start("exit 1");
  ASSERT_TRUE(WaitFor([&] {
    return recorder_.lost.size() == 3 && !pool_->AnyProcessLocked();
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::lock_guard<std::mutex> lock(pool_->mutex());
  EXPECT_EQ(recorder_.lost.size(), 3u);
  EXPECT_FALSE(pool_->AnyProcessLocked());
}

TEST_F(WorkerPoolTest, KillsAWorkerThatGarblesItsChannel) {
  // A length of 4 GiB: no message is that long.
  Start("printf '\\377\\377\\377\\377' >&4; exec sleep 30");
  ASSERT_TRUE(WaitFor([&] { return recorder_.lost.size() == 1; }));
  const Ending& ending = recorder_.lost[0];
  EXPECT_TRUE(ending.garbled);
  EXPECT_TRUE(ending.killed);
  EXPECT_NE(ending.cause.find("on its result channel"), std::string::npos)
      << ending.cause;
}

TEST_F(WorkerPoolTest, AKillNamesItsCause) {
  Start("exec sleep 30");
  {
    std::lock_guard<std::mutex> lock(pool_->mutex());
    pool_->KillLocked(1, "was stopped by the test");
  }
  ASSERT_TRUE(WaitFor([&] { return recorder_.lost.size() == 1; }));
  EXPECT_EQ(recorder_.lost[0].cause, "was stopped by the test");
  EXPECT_TRUE(recorder_.lost[0].killed);
}

TEST_F(WorkerPoolTest, AnExpectedExitIsNoDeath) {
  Start("sleep 1; echo leaving");
  {
    std::lock_guard<std::mutex> lock(pool_->mutex());
    pool_->ExpectExitLocked(1);
  }
  ASSERT_TRUE(WaitFor([&] {
    return recorder_.left.size() == 1 && !pool_->AnyProcessLocked();
  }));
  EXPECT_TRUE(recorder_.lost.empty());
  EXPECT_EQ(recorder_.left[0].cause, "exited with status 0");
  EXPECT_EQ(recorder_.outputs[0], "leaving\n");
}

TEST_F(WorkerPoolTest, ShutDownEndsAWorkerThatHangs) {
  Start("exec sleep 60");
  const double seconds = ShutDown();
  pool_.reset();
  // Its commands closed, it is given kFinishGraceMs, then killed; that is
  // no death.
  EXPECT_LT(seconds, kFinishGraceMs / 1000.0 + 5);
  EXPECT_TRUE(recorder_.lost.empty());
  EXPECT_TRUE(recorder_.left.empty());
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel

#endif  // !defined(_WIN32)
