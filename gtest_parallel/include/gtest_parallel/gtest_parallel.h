// gtest_parallel: a drop-in replacement for gtest_main that runs the
// registered GoogleTest tests on N spawned worker processes and merges their
// results back into GoogleTest's own listeners, so that the console output,
// --gtest_output=xml|json and user listeners look like one serial run.
//
// Most programs only link gtest_parallel::main. A program with its own main()
// calls gtest_parallel::InitGoogleTest() instead of testing::InitGoogleTest()
// and gtest_parallel::RunAllTests() instead of RUN_ALL_TESTS().
#ifndef GTEST_PARALLEL_GTEST_PARALLEL_H_
#define GTEST_PARALLEL_GTEST_PARALLEL_H_

namespace gtest_parallel {

// Exit code of a run that was refused before any test ran: a bad flag or
// environment variable, or a worker that could not be started.
inline constexpr int kUsageErrorExitCode = 2;

// Parses and removes the gtest_parallel flags (--gtest_parallel=N|auto, ...)
// from argv, reads GTEST_PARALLEL, then calls testing::InitGoogleTest. On a
// bad value it prints one line naming the flag and exits with
// kUsageErrorExitCode. In a worker process it also connects to the
// coordinator.
void InitGoogleTest(int* argc, char** argv);

// Runs the tests: serially (exactly RUN_ALL_TESTS()) when parallelism is off
// or 1, otherwise on the configured number of workers. Returns the exit code
// RUN_ALL_TESTS() would return for the same results.
int RunAllTests();

// InitGoogleTest followed by RunAllTests; what gtest_parallel::main calls.
int Main(int argc, char** argv);

// The id of this worker process: 1..WorkerCount() in a worker, 0 in the
// coordinator and in a serial run. Also in the environment as
// GTEST_PARALLEL_WORKER.
int WorkerId();

// The number of workers of this run (GTEST_PARALLEL_WORKERS), 0 in a serial
// run and in the coordinator before the workers are started.
int WorkerCount();

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_GTEST_PARALLEL_H_
