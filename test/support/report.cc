// Reading the test cases of a GoogleTest XML report (see report.h).
#include "support/report.h"

#include <utility>

namespace test_support {
namespace {

// The value of attribute `name` in the start tag `tag`, "" if absent.
std::string Attribute(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const size_t at = tag.find(key);
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size();
  const size_t end = tag.find('"', begin);
  return end == std::string::npos ? "" : tag.substr(begin, end - begin);
}

}  // namespace

bool TestCase::Failed() const {
  return element.find("<failure ") != std::string::npos;
}

bool TestCase::Skipped() const {
  return !Failed() && element.find(" result=\"skipped\"") != std::string::npos;
}

bool TestCase::Passed() const {
  return !Failed() && !Skipped() &&
         element.find(" status=\"run\"") != std::string::npos;
}

std::string TestCase::Outcome() const {
  if (Failed()) return "failed";
  if (Skipped()) return "skipped";
  return Passed() ? "passed" : "not run";
}

bool TestCase::Mentions(const std::string& text) const {
  return element.find(text) != std::string::npos;
}

Report::Report(std::string xml) : xml_(std::move(xml)) {
  const std::string open = "<testcase ";
  for (size_t at = xml_.find(open); at != std::string::npos;
       at = xml_.find(open, at + open.size())) {
    // Attribute values escape '>', so the start tag ends at the first one.
    const size_t tag_end = xml_.find('>', at);
    if (tag_end == std::string::npos) break;
    size_t end = tag_end + 1;
    if (xml_[tag_end - 1] != '/') {
      const size_t close = xml_.find("</testcase>", tag_end);
      end = close == std::string::npos ? xml_.size()
                                       : close + sizeof("</testcase>") - 1;
    }
    const std::string tag = xml_.substr(at, tag_end - at);
    tests_.push_back(TestCase{Attribute(tag, "classname"),
                              Attribute(tag, "name"),
                              xml_.substr(at, end - at)});
  }
}

const TestCase* Report::Find(const std::string& full_name) const {
  for (const TestCase& test : tests_) {
    if (test.FullName() == full_name) return &test;
  }
  return nullptr;
}

std::string Report::NotPassed() const {
  std::string lines;
  for (const TestCase& test : tests_) {
    if (!test.Passed()) lines += test.FullName() + ": " + test.Outcome() + "\n";
  }
  return lines;
}

}  // namespace test_support
