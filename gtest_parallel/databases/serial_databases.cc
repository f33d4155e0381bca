// A serial run with databases (see serial_databases.h).
#include "databases/serial_databases.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <thread>

#include "databases/reset.h"
#include "databases/run_databases.h"
#include "platform/files.h"
#include "platform/signals.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

// While alive, SIGINT and SIGTERM drop the databases (on a thread of their
// own, since a signal handler cannot) and then end the process by the
// signal.
class InterruptGuard {
 public:
  explicit InterruptGuard(RunDatabases* databases) : databases_(databases) {
    CatchInterrupts(wake_.write_end(), /*ignore_broken_pipes=*/false);
    thread_ = std::thread([this] { Watch(); });
  }
  ~InterruptGuard() {
    done_ = true;
    wake_.Wake();
    thread_.join();
    RestoreInterrupts();
  }
  bool interrupted() const { return InterruptCount() > 0; }

 private:
  void Watch() {
    for (;;) {
      std::vector<bool> ready;
      WaitReadable({wake_.read_end()}, -1, &ready);
      wake_.Drain();
      if (InterruptCount() > 0) {
        databases_->TearDown();
        const int signal = FirstInterrupt();
        RestoreInterrupts();
        std::signal(signal, SIG_DFL);
        std::raise(signal);
      }
      if (done_) return;
    }
  }

  RunDatabases* databases_;
  WakePipe wake_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

int RunSerialWithDatabases(const Options& options) {
  RunDatabases databases(options);
  InterruptGuard guard(&databases);
  std::string error;
  if (!databases.Prepare(&error) ||
      !databases.SetUp(
          0, [&guard] { return guard.interrupted(); }, &error) ||
      !databases.AttachHere(&error)) {
    databases.TearDown();
    std::fprintf(stderr, "gtest_parallel: %s\n", error.c_str());
    std::fflush(stderr);
    return kUsageExitCode;
  }
  AppendResetListener(options, &testing::UnitTest::GetInstance()->listeners());
  const int result = RUN_ALL_TESTS();
  databases.TearDown();
  return result;
}

}  // namespace internal
}  // namespace gtest_parallel
