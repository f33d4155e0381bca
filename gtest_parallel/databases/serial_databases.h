// A serial run of a program that declares databases: one database per
// declaration, made before the tests and dropped after them, also when the
// run is interrupted by SIGINT or SIGTERM.
#ifndef GTEST_PARALLEL_SERIAL_DATABASES_H_
#define GTEST_PARALLEL_SERIAL_DATABASES_H_

#include "flags/options.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {

// Sets the databases up, runs RUN_ALL_TESTS() and drops them; returns
// RUN_ALL_TESTS()'s result, or kUsageExitCode when the databases
// cannot be made. An interrupt drops them, then ends the process as the
// signal would have.
int RunSerialWithDatabases(const Options& options);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_SERIAL_DATABASES_H_
