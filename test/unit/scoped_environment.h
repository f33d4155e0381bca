// An environment variable set for the length of a scope, in the unit tests.
#ifndef GTEST_PARALLEL_TEST_UNIT_SCOPED_ENVIRONMENT_H_
#define GTEST_PARALLEL_TEST_UNIT_SCOPED_ENVIRONMENT_H_

#include <cstdlib>
#include <string>
#include <utility>

namespace gtest_parallel {
namespace internal {

// Sets `name` to `value` in this process's environment, and removes it again
// at the end of the scope.
class ScopedEnvironment {
 public:
  ScopedEnvironment(std::string name, const std::string& value)
      : name_(std::move(name)) {
#ifdef _WIN32
    _putenv_s(name_.c_str(), value.c_str());
#else
    setenv(name_.c_str(), value.c_str(), 1);
#endif
  }
  ~ScopedEnvironment() {
#ifdef _WIN32
    _putenv_s(name_.c_str(), "");  // An empty value removes it on Windows.
#else
    unsetenv(name_.c_str());
#endif
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::string name_;
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_TEST_UNIT_SCOPED_ENVIRONMENT_H_
