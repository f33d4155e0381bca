// Normalization and diffing of reports and console output.
#include "text_compare.h"

#include <algorithm>
#include <cctype>

namespace gtest_parallel_e2e {
namespace {

// Lines of context shown around a difference, the most diff lines and
// characters per line shown, and the most numbers kept to compute a diff.
constexpr size_t kContextLines = 3;
constexpr size_t kMaxShownLines = 60;
constexpr size_t kMaxShownChars = 400;
constexpr size_t kMaxDiffCells = 20'000'000;

// Replaces what lies between each `opening` and the next `closing` with "*".
std::string ReplaceValues(const std::string& text, const std::string& opening,
                          char closing) {
  std::string result;
  size_t position = 0;
  while (true) {
    const size_t start = text.find(opening, position);
    if (start == std::string::npos) break;
    const size_t value = start + opening.size();
    const size_t end = text.find(closing, value);
    if (end == std::string::npos) break;
    result.append(text, position, value - position);
    result += '*';
    position = end;
  }
  result.append(text, position, std::string::npos);
  return result;
}

// Replaces the digits of "(<digits> ms" with "*".
std::string ReplaceMilliseconds(const std::string& text) {
  std::string result;
  size_t position = 0;
  while (true) {
    const size_t open = text.find('(', position);
    if (open == std::string::npos) break;
    size_t digits_end = open + 1;
    while (digits_end < text.size() &&
           std::isdigit(static_cast<unsigned char>(text[digits_end]))) {
      ++digits_end;
    }
    result.append(text, position, open + 1 - position);
    if (digits_end > open + 1 && text.compare(digits_end, 3, " ms") == 0) {
      result += '*';
      position = digits_end;
    } else {
      position = open + 1;
    }
  }
  result.append(text, position, std::string::npos);
  return result;
}

// A line as shown in a diff: control characters escaped, cut after
// kMaxShownChars.
std::string Shown(const std::string& line) {
  std::string shown;
  for (char c : line) {
    if (shown.size() >= kMaxShownChars) {
      shown += "... (line cut short)";
      break;
    }
    if (c == '\r') {
      shown += "\\r";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      static const char kHex[] = "0123456789abcdef";
      shown += "\\x";
      shown += kHex[(c >> 4) & 0xf];
      shown += kHex[c & 0xf];
    } else {
      shown += c;
    }
  }
  return shown;
}

struct DiffLine {
  char sign;  // ' ', '-' or '+'
  std::string text;
};

// The lines of a[begin, begin + n) and b[begin, begin + m) that a line
// diff compares.
struct DiffInput {
  const std::vector<std::string>& a;
  const std::vector<std::string>& b;
  size_t begin;
  int n;
  int m;

  // Offset of diagonal 0 in the furthest-reaching vectors.
  int offset() const { return n + m + 1; }
  bool Same(int x, int y) const {
    return a[begin + static_cast<size_t>(x)] ==
           b[begin + static_cast<size_t>(y)];
  }
};

// The forward pass of Myers' algorithm: the edit distance, with the
// furthest-reaching vector before each step in *trace; -1 when that trace
// would outgrow kMaxDiffCells.
int ShortestEditDistance(const DiffInput& in,
                         std::vector<std::vector<int>>* trace) {
  const int n = in.n;
  const int m = in.m;
  const int offset = in.offset();
  // furthest[offset + k]: the furthest x reached on diagonal k = x - y.
  std::vector<int> furthest(static_cast<size_t>(2 * offset + 1), 0);
  for (int d = 0; d <= n + m; ++d) {
    if ((trace->size() + 1) * furthest.size() > kMaxDiffCells) return -1;
    trace->push_back(furthest);
    for (int k = -d; k <= d; k += 2) {
      const bool down = k == -d || (k != d && furthest[offset + k - 1] <
                                                  furthest[offset + k + 1]);
      int x = down ? furthest[offset + k + 1] : furthest[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && in.Same(x, y)) {
        ++x;
        ++y;
      }
      furthest[offset + k] = x;
      if (x >= n && y >= m) return d;
    }
  }
  return -1;
}

// The edit script of a shortest diff, walked back from (n, m) through
// trace (of ShortestEditDistance, which returned distance).
std::vector<DiffLine> EditScript(const DiffInput& in, int distance,
                                 const std::vector<std::vector<int>>& trace) {
  const int offset = in.offset();
  auto a_line = [&](int x) { return in.a[in.begin + static_cast<size_t>(x)]; };
  std::vector<DiffLine> all;
  // Collects the script in reverse.
  int x = in.n;
  int y = in.m;
  for (int d = distance; d > 0; --d) {
    const std::vector<int>& before = trace[static_cast<size_t>(d)];
    const int k = x - y;
    const bool down =
        k == -d || (k != d && before[offset + k - 1] < before[offset + k + 1]);
    const int previous_k = down ? k + 1 : k - 1;
    const int previous_x = before[offset + previous_k];
    const int previous_y = previous_x - previous_k;
    while (x > previous_x + (down ? 0 : 1) && y > previous_y + (down ? 1 : 0)) {
      all.push_back({' ', a_line(--x)});
      --y;
    }
    if (down) {
      all.push_back({'+', in.b[in.begin + static_cast<size_t>(--y)]});
    } else {
      all.push_back({'-', a_line(--x)});
    }
  }
  while (x > 0 && y > 0) {
    all.push_back({' ', a_line(--x)});
    --y;
  }
  std::reverse(all.begin(), all.end());
  return all;
}

// all with each run of equal lines longer than 2 * kContextLines + 1
// shortened to kContextLines lines on either side of a "~" line.
std::vector<DiffLine> ShortenEqualRuns(const std::vector<DiffLine>& all) {
  std::vector<DiffLine> lines;
  for (size_t k = 0; k < all.size();) {
    if (all[k].sign != ' ') {
      lines.push_back(all[k++]);
      continue;
    }
    size_t run_end = k;
    while (run_end < all.size() && all[run_end].sign == ' ') ++run_end;
    if (run_end - k > 2 * kContextLines + 1) {
      for (size_t c = k; c < k + kContextLines; ++c) lines.push_back(all[c]);
      lines.push_back(
          {'~', "... " + std::to_string(run_end - k - 2 * kContextLines) +
                    " equal lines"});
      for (size_t c = run_end - kContextLines; c < run_end; ++c) {
        lines.push_back(all[c]);
      }
    } else {
      for (size_t c = k; c < run_end; ++c) lines.push_back(all[c]);
    }
    k = run_end;
  }
  return lines;
}

// A line diff of a[begin, a_end) and b[begin, b_end) (Myers' algorithm),
// or, when too many lines differ, all of a removed and all of b added. Long
// runs of equal lines are shortened.
std::vector<DiffLine> DiffMiddle(const std::vector<std::string>& a,
                                 size_t begin, size_t a_end,
                                 const std::vector<std::string>& b,
                                 size_t b_end) {
  const DiffInput in{a, b, begin, static_cast<int>(a_end - begin),
                     static_cast<int>(b_end - begin)};
  std::vector<std::vector<int>> trace;
  const int distance = ShortestEditDistance(in, &trace);
  if (distance < 0) {
    std::vector<DiffLine> all;
    for (size_t i = begin; i < a_end; ++i) all.push_back({'-', a[i]});
    for (size_t j = begin; j < b_end; ++j) all.push_back({'+', b[j]});
    return all;
  }
  return ShortenEqualRuns(EditScript(in, distance, trace));
}

}  // namespace

std::string NormalizeXml(const std::string& xml) {
  return ReplaceValues(ReplaceValues(xml, " time=\"", '"'), " timestamp=\"",
                       '"');
}

std::string NormalizeJson(const std::string& json) {
  return ReplaceValues(ReplaceValues(json, "\"time\": \"", '"'),
                       "\"timestamp\": \"", '"');
}

std::string NormalizeReport(const std::string& format,
                            const std::string& report) {
  return format == "json" ? NormalizeJson(report) : NormalizeXml(report);
}

std::string NormalizeConsole(const std::string& console) {
  return ReplaceMilliseconds(console);
}

std::string WithUnixLineEnds(const std::string& text) {
  if (text.find("\r\n") == std::string::npos) return text;
  for (size_t at = text.find('\n'); at != std::string::npos;
       at = text.find('\n', at + 1)) {
    if (at == 0 || text[at - 1] != '\r') return text;
  }
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    result += text[i];
  }
  return result;
}

std::string WithoutRunningMainLines(const std::string& console) {
  return WithoutLinesStartingWith(console, "Running main() from ");
}

std::string LinesStartingWith(const std::string& text,
                              const std::string& prefix) {
  std::string result;
  for (const std::string& line : SplitLines(text)) {
    if (line.rfind(prefix, 0) == 0) result += line + "\n";
  }
  return result;
}

std::string WithoutLinesStartingWith(const std::string& text,
                                     const std::string& prefix) {
  std::string result;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    end = end == std::string::npos ? text.size() : end + 1;
    if (text.compare(position, prefix.size(), prefix) != 0) {
      result.append(text, position, end - position);
    }
    position = end;
  }
  return result;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t position = 0;
  while (position < text.size()) {
    const size_t end = text.find('\n', position);
    if (end == std::string::npos) {
      lines.push_back(text.substr(position) + "\\ (no newline at end)");
      break;
    }
    lines.push_back(text.substr(position, end - position));
    position = end + 1;
  }
  return lines;
}

::testing::AssertionResult SameText(const std::string& what,
                                    const std::string& expected_label,
                                    const std::string& expected,
                                    const std::string& actual_label,
                                    const std::string& actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  const std::vector<std::string> a = SplitLines(expected);
  const std::vector<std::string> b = SplitLines(actual);
  // The common head and tail are context; only the middle is diffed.
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) {
    ++prefix;
  }
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const size_t a_end = a.size() - suffix;
  const size_t b_end = b.size() - suffix;

  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << what << " differ (" << a.size() << " vs " << b.size()
          << " lines)\n--- " << expected_label << "\n+++ " << actual_label
          << "\n@@ -" << prefix + 1 << "," << a_end - prefix << " +"
          << prefix + 1 << "," << b_end - prefix << " @@\n";
  const size_t context_start =
      prefix > kContextLines ? prefix - kContextLines : 0;
  for (size_t i = context_start; i < prefix; ++i) {
    failure << " " << Shown(a[i]) << "\n";
  }
  size_t shown = 0;
  for (const DiffLine& line : DiffMiddle(a, prefix, a_end, b, b_end)) {
    if (shown++ == kMaxShownLines) {
      failure << "... (diff cut short)\n";
      break;
    }
    failure << line.sign << Shown(line.text) << "\n";
  }
  for (size_t i = a_end; i < std::min(a.size(), a_end + kContextLines); ++i) {
    failure << " " << Shown(a[i]) << "\n";
  }
  return failure;
}

}  // namespace gtest_parallel_e2e
