// Console text helpers for the fault tests (see console_text.h).
#include "console_text.h"

#include <cctype>
#include <vector>

namespace faults {

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

}  // namespace faults
