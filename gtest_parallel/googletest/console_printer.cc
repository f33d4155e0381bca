// Test lines written without a string stream per line (see
// console_printer.h).
#include "googletest/console_printer.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <locale>
#include <memory>

#include "googletest/gtest_version.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Appends `text` to the line being built.
char* Put(char* out, const char* text, size_t size) {
  std::memcpy(out, text, size);
  return out + size;
}

// Writes "<tag>Suite.Name" followed by `tail` (at most 32 bytes) to stdout.
// GoogleTest's printer flushes stdout after every line, a write(2) per line;
// these stay in stdout's buffer (line-buffered on a terminal, so only a pipe
// or a file sees a difference), and the replay flushes it before it waits
// for a worker.
void WriteLine(const char (&tag)[14], const testing::TestInfo& test,
               const char* tail, size_t tail_size) {
  const char* suite = test.test_suite_name();
  const char* name = test.name();
  const size_t suite_size = std::strlen(suite), name_size = std::strlen(name);
  char stack[512];
  std::unique_ptr<char[]> heap;
  const size_t size = 13 + suite_size + 1 + name_size + tail_size;
  char* line = stack;
  if (size > sizeof(stack)) {
    heap.reset(new char[size]);
    line = heap.get();
  }
  char* out = Put(line, tag, 13);
  out = Put(out, suite, suite_size);
  *out++ = '.';
  out = Put(out, name, name_size);
  out = Put(out, tail, tail_size);
  std::fwrite(line, 1, static_cast<size_t>(out - line), stdout);
}

}  // namespace

ConsoleLines::ConsoleLines(bool in_color)
    // GoogleTest prints the elapsed time through a stream in the global
    // locale; std::to_chars matches it only in the classic one.
    : own_lines_(!in_color && std::locale() == std::locale::classic()) {}

bool ConsoleLines::PrintStart(const testing::TestInfo& test) {
  if (!own_lines_) return false;
  WriteLine("[ RUN      ] ", test, "\n", 1);
  return true;
}

bool ConsoleLines::PrintEnd(const testing::TestInfo& test) {
  const testing::TestResult& result = *test.result();
  // A failed test's line names its type and value parameters: GoogleTest's.
  if (!own_lines_ || result.Failed()) return false;
  char tail[32];
  size_t tail_size = 0;
  if (GTEST_FLAG_GET(print_time)) {
    char* out = Put(tail, " (", 2);
    out =
        std::to_chars(out, tail + sizeof(tail) - 5, result.elapsed_time()).ptr;
    out = Put(out, " ms)\n", 5);
    tail_size = static_cast<size_t>(out - tail);
  } else {
    tail[0] = '\n';
    tail_size = 1;
  }
  WriteLine(result.Skipped() ? "[  SKIPPED ] " : "[       OK ] ", test, tail,
            tail_size);
  return true;
}

}  // namespace internal
}  // namespace gtest_parallel
