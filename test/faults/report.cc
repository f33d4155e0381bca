// XML report and console text helpers for the fault tests (see report.h).
#include "report.h"

#include <cctype>
#include <fstream>
#include <iterator>

namespace faults {
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

size_t FindPattern(const std::string& text, const std::string& pattern,
                   size_t from) {
  std::vector<std::string> pieces;
  for (size_t at = 0;;) {
    const size_t hole = pattern.find("{N}", at);
    pieces.push_back(pattern.substr(at, hole - at));
    if (hole == std::string::npos) break;
    at = hole + 3;
  }
  for (size_t start = text.find(pieces[0], from); start != std::string::npos;
       start = text.find(pieces[0], start + 1)) {
    size_t at = start + pieces[0].size();
    bool matches = true;
    for (size_t i = 1; i < pieces.size() && matches; ++i) {
      const size_t digits_start = at;
      while (at < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[at]))) {
        ++at;
      }
      matches = at > digits_start &&
                text.compare(at, pieces[i].size(), pieces[i]) == 0;
      at += pieces[i].size();
    }
    if (matches) return start;
  }
  return std::string::npos;
}

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

}  // namespace faults
