// What the demo test files (demo_test.cc, demo_services_test.cc,
// demo_database_test.cc) share: a stand-in for a service's latency, and the
// text utilities demo_test.cc tests.
#ifndef GTEST_PARALLEL_DEMO_DEMO_UTIL_H_
#define GTEST_PARALLEL_DEMO_DEMO_UTIL_H_

#include <cctype>
#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace demo {

// Sleeps for ms milliseconds, as a call to a service or a file would take.
inline void SimulateLatency(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

// The fields of text between separators, empty ones included.
inline std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

// The parts with separator between each two.
inline std::string Join(const std::vector<std::string>& parts,
                        const std::string& separator) {
  std::string result;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) result += separator;
    result += parts[i];
  }
  return result;
}

// text without leading and trailing white space.
inline std::string Trim(const std::string& text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin])))
    ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  return text.substr(begin, end - begin);
}

// text in upper case (ASCII letters only).
inline std::string ToUpper(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace demo

#endif  // GTEST_PARALLEL_DEMO_DEMO_UTIL_H_
