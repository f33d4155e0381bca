// What passes between the processes of a run outside the pipes: the
// environment variables the coordinator sets for its workers (and for a
// test run alone), and the exit code that means "refused before any test
// ran". GTEST_PARALLEL_WORKER and GTEST_PARALLEL_WORKERS, which tests read,
// are documented in the README.
#ifndef GTEST_PARALLEL_PROTOCOL_VARIABLES_H_
#define GTEST_PARALLEL_PROTOCOL_VARIABLES_H_

namespace gtest_parallel {
namespace internal {

// Environment variable that carries the worker's pipe ends.
inline constexpr char kChannelVariable[] = "GTEST_PARALLEL_CHANNEL";

// Environment variable with the coordinator's process id (workers die with
// it).
inline constexpr char kCoordinatorVariable[] = "GTEST_PARALLEL_COORDINATOR";

// Set in the environment of a program run alone: it runs serially even
// though it is given a worker's channel (which keeps it from outliving the
// coordinator).
inline constexpr char kAloneVariable[] = "GTEST_PARALLEL_ALONE";

// Names, in a worker's environment, the temporary directory of the run as
// a whole (the coordinator's TMPDIR, or the system's), for files that every
// process of the run shares, such as the SQLite backend's templates.
inline constexpr char kSharedTmpVariable[] = "GTEST_PARALLEL_SHARED_TMPDIR";

// Exit code of a run refused before any test ran (a bad flag or variable, a
// worker that could not start): gtest_parallel::kUsageErrorExitCode, which
// entry/gtest_parallel.cc checks is the same.
inline constexpr int kUsageExitCode = 2;

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PROTOCOL_VARIABLES_H_
