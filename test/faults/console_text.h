// Searching what a fixture run printed: text patterns with numbers (worker
// ids, pids) in them, counts and tails.
#ifndef GTEST_PARALLEL_TEST_FAULTS_CONSOLE_TEXT_H_
#define GTEST_PARALLEL_TEST_FAULTS_CONSOLE_TEXT_H_

#include <string>

namespace faults {

// Where `pattern` first occurs in `text` at or after `from`, npos if
// nowhere. "{N}" in `pattern` stands for one or more digits.
size_t FindPattern(const std::string& text, const std::string& pattern,
                   size_t from = 0);
// Whether `pattern` (see FindPattern) occurs in `text`.
inline bool ContainsPattern(const std::string& text,
                            const std::string& pattern) {
  return FindPattern(text, pattern) != std::string::npos;
}

// How many times `needle` occurs in `text`.
int Count(const std::string& text, const std::string& needle);

// The last `bytes` bytes of `text`.
std::string Tail(const std::string& text, size_t bytes);

}  // namespace faults

#endif  // GTEST_PARALLEL_TEST_FAULTS_CONSOLE_TEXT_H_
