// Misbehaviour shared by the fault fixtures: floods, hangs, processes left
// behind and garbage written into the runner's pipes.
#ifndef GTEST_PARALLEL_TEST_FAULTS_FAULT_ACTIONS_H_
#define GTEST_PARALLEL_TEST_FAULTS_FAULT_ACTIONS_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>

namespace faults {

// Writes "faults: <line>\n" straight to fd 1, so that it survives a crash
// right after.
void Say(const std::string& line);

// Writes `bytes` bytes of "faults: flood ..." lines to fd 1.
void WriteFlood(size_t bytes);

// Writes lines to fd 1 at about 100 MB/s for `duration`.
void FloodFor(std::chrono::seconds duration);

// Sleeps for `duration` (through signals that do not kill).
void SleepFor(std::chrono::seconds duration);

// Forks and execs `sleep 1000` without waiting for it; returns its pid, or
// -1.
pid_t StartSleep1000();

// Forks a child that writes a line to fd 1 every 10 ms, forever; returns
// its pid, or -1.
pid_t ForkEndlessWriter();

// Writes 4 KiB of random bytes into every pipe open at fd 10 or above;
// returns how many pipes it wrote into.
int WriteGarbageIntoPipes();

// When FAULTS_STATE_DIR is set, creates <FAULTS_STATE_DIR>/<Suite.Test>.started
// for the running test ('/' in names becomes '_'), so that whoever runs the
// fixture can tell the test has begun.
void NoteStarted();

// The value of the environment variable `name`, or "" when unset.
std::string Env(const char* name);

}  // namespace faults

#endif  // GTEST_PARALLEL_TEST_FAULTS_FAULT_ACTIONS_H_
