// Helpers of the unit tests of flag and environment parsing
// (options_test.cc, options_flags_test.cc, options_errors_test.cc): an argv
// built from strings, and ParseOptions run on one.
#ifndef GTEST_PARALLEL_TEST_UNIT_OPTIONS_TEST_UTIL_H_
#define GTEST_PARALLEL_TEST_UNIT_OPTIONS_TEST_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "flags/options.h"

namespace gtest_parallel {
namespace internal {
namespace options_testing {

// An argv built from strings, null-terminated like the one main() gets.
class Argv {
 public:
  explicit Argv(std::vector<std::string> args) : storage_(std::move(args)) {
    for (std::string& arg : storage_) pointers_.push_back(arg.data());
    pointers_.push_back(nullptr);
    original_ = pointers_;
    argc_ = static_cast<int>(storage_.size());
  }

  // What ParseOptions takes as argc and argv.
  int* argc() { return &argc_; }
  char** argv() { return pointers_.data(); }
  // argv[i] as built, before ParseOptions removed any.
  char* original(size_t i) const { return original_[i]; }

  // The arguments left in argv, argv[0] included.
  std::vector<std::string> Left() const {
    return std::vector<std::string>(pointers_.begin(),
                                    pointers_.begin() + argc_);
  }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
  std::vector<char*> original_;
  int argc_ = 0;
};

// What ParseOptions made of some arguments.
struct Parsed {
  bool ok = false;
  Options options;
  std::string error;
  std::vector<std::string> left;
};

// Runs ParseOptions on args (args[0] is the program) with env as the
// GTEST_PARALLEL variable.
inline Parsed Parse(std::vector<std::string> args, const char* env = nullptr) {
  Argv argv(std::move(args));
  Parsed parsed;
  parsed.ok = ParseOptions(argv.argc(), argv.argv(), env, &parsed.options,
                           &parsed.error);
  parsed.left = argv.Left();
  return parsed;
}

// Arguments, as the tests write them.
using Args = std::vector<std::string>;

// Whether text has no line break.
inline bool IsOneLine(const std::string& text) {
  return text.find('\n') == std::string::npos &&
         text.find('\r') == std::string::npos;
}

}  // namespace options_testing
}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_TEST_UNIT_OPTIONS_TEST_UTIL_H_
