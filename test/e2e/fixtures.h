// The fixture programs of test/fixtures, as seen by the end-to-end tests.
#ifndef GTEST_PARALLEL_TEST_E2E_FIXTURES_H_
#define GTEST_PARALLEL_TEST_E2E_FIXTURES_H_

#include <ostream>
#include <string>
#include <vector>

namespace gtest_parallel_e2e {

struct Fixture {
  std::string name;
  // The program linked with gtest_parallel.
  std::string path;
  // The same tests linked with gtest_main: the reference.
  std::string reference_path;
  // The exit code of a run without flags; -1 when this table does not know
  // the fixture.
  int exit_code = -1;
  // Whether the golden comparison (golden_test.cc) runs it; false for the
  // fixtures that need a working directory or environment prepared by their
  // own tests (NOT_GOLDEN in test/fixtures/CMakeLists.txt).
  bool golden = true;
};

// Prints the name, e.g. in the names of parameterized tests.
inline void PrintTo(const Fixture& fixture, std::ostream* os) {
  *os << fixture.name;
}

// Every fixture built by test/fixtures, in the order they are declared; or,
// when GTEST_PARALLEL_E2E_FIXTURES names a file, the fixtures it lists, one
// "name<TAB>path<TAB>reference path" line each (the Windows build's, say).
const std::vector<Fixture>& AllFixtures();

// The fixtures of AllFixtures() that the golden comparison runs.
std::vector<Fixture> GoldenFixtures();

// The fixture called `name`; fails the current test (and returns an empty
// fixture) when there is none.
const Fixture& FixtureNamed(const std::string& name);

}  // namespace gtest_parallel_e2e

#endif  // GTEST_PARALLEL_TEST_E2E_FIXTURES_H_
