// Reading what a fixture run printed and reported: the test cases of a
// GoogleTest XML report, found with plain string searches, and text
// patterns with numbers (worker ids, pids) in them.
#ifndef GTEST_PARALLEL_TEST_FAULTS_REPORT_H_
#define GTEST_PARALLEL_TEST_FAULTS_REPORT_H_

#include <string>
#include <vector>

namespace faults {

// One <testcase> element.
struct TestCase {
  std::string suite;    // classname, e.g. "A/PassingTest".
  std::string name;     // e.g. "Works/3".
  std::string element;  // The whole element, failure texts included.

  std::string FullName() const { return suite + "." + name; }
  bool Failed() const;
  bool Skipped() const;
  bool Passed() const;
  // "passed", "failed" or "skipped".
  std::string Outcome() const;
  bool Mentions(const std::string& text) const;
};

class Report {
 public:
  Report() = default;
  explicit Report(std::string xml);

  const std::string& xml() const { return xml_; }
  const std::vector<TestCase>& tests() const { return tests_; }
  // The test "Suite.Name", or null.
  const TestCase* Find(const std::string& full_name) const;
  // "Suite.Name: failed" for every test that did not pass, one per line.
  std::string NotPassed() const;

 private:
  std::string xml_;
  std::vector<TestCase> tests_;
};

// Where `pattern` first occurs in `text` at or after `from`, npos if
// nowhere. "{N}" in `pattern` stands for one or more digits.
size_t FindPattern(const std::string& text, const std::string& pattern,
                   size_t from = 0);
inline bool ContainsPattern(const std::string& text,
                            const std::string& pattern) {
  return FindPattern(text, pattern) != std::string::npos;
}

// How many times `needle` occurs in `text`.
int Count(const std::string& text, const std::string& needle);

// The last `bytes` bytes of `text`.
std::string Tail(const std::string& text, size_t bytes);

// The contents of a file, "" if it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace faults

#endif  // GTEST_PARALLEL_TEST_FAULTS_REPORT_H_
