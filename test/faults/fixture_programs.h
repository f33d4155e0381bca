// Paths of the fault fixture programs, from compile definitions
// (test/faults/CMakeLists.txt).
#ifndef GTEST_PARALLEL_TEST_FAULTS_FIXTURE_PROGRAMS_H_
#define GTEST_PARALLEL_TEST_FAULTS_FIXTURE_PROGRAMS_H_

namespace faults {

inline constexpr char kFaults[] = FAULTS_FIXTURE_FAULTS;
inline constexpr char kFlaky[] = FAULTS_FIXTURE_FLAKY;
inline constexpr char kHang[] = FAULTS_FIXTURE_HANG;
inline constexpr char kSlowStart[] = FAULTS_FIXTURE_SLOW_START;
inline constexpr char kGarbage[] = FAULTS_FIXTURE_GARBAGE;
inline constexpr char kLifecycle[] = FAULTS_FIXTURE_LIFECYCLE;

}  // namespace faults

#endif  // GTEST_PARALLEL_TEST_FAULTS_FIXTURE_PROGRAMS_H_
