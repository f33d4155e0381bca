// The test cases of a GoogleTest XML report (--gtest_output=xml), found
// with plain string searches, and their outcomes.
#ifndef GTEST_PARALLEL_TEST_SUPPORT_REPORT_H_
#define GTEST_PARALLEL_TEST_SUPPORT_REPORT_H_

#include <string>
#include <vector>

namespace test_support {

// One <testcase> element.
struct TestCase {
  std::string suite;    // classname, e.g. "A/PassingTest".
  std::string name;     // e.g. "Works/3".
  std::string element;  // The whole element, failure texts included.

  // "Suite.Name".
  std::string FullName() const { return suite + "." + name; }
  // Whether the element holds a <failure>.
  bool Failed() const;
  // Whether it was skipped (and did not fail).
  bool Skipped() const;
  // Whether it ran, neither failing nor skipped.
  bool Passed() const;
  // "passed", "failed", "skipped" or "not run".
  std::string Outcome() const;
  // Whether `text` occurs in the element.
  bool Mentions(const std::string& text) const;
};

// An XML report and its test cases, in the order of the report.
class Report {
 public:
  // No test cases.
  Report() = default;
  // Reads the test cases of `xml`.
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

}  // namespace test_support

#endif  // GTEST_PARALLEL_TEST_SUPPORT_REPORT_H_
