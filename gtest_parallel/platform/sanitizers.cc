// Sanitizer support in workers (see sanitizers.h).
#include "platform/sanitizers.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#if defined(__GNUC__) && !defined(_WIN32)
#include <unistd.h>
// The sanitizers' public interface, referred to weakly: null unless the
// program was linked with a sanitizer.
extern "C" {
int __lsan_do_recoverable_leak_check() __attribute__((weak));
void __sanitizer_set_report_fd(void* fd) __attribute__((weak));
}
#define GTEST_PARALLEL_SANITIZER_HOOKS 1
#endif

namespace gtest_parallel {
namespace internal {
namespace {

// The report kinds sanitizers and valgrind print, and how their lines
// start.
struct Marker {
  const char* text;       // Printed before the kind (or, for valgrind,
                          // the kind itself, after "==PID== ").
  const char* sanitizer;  // The name users know.
};
constexpr char kValgrind[] = "valgrind";
constexpr Marker kMarkers[] = {
    {"WARNING: ThreadSanitizer: ", "ThreadSanitizer"},
    {"ERROR: AddressSanitizer: ", "AddressSanitizer"},
    {"ERROR: LeakSanitizer: ", "LeakSanitizer"},
    {"WARNING: MemorySanitizer: ", "MemorySanitizer"},
    {": runtime error: ", "UndefinedBehaviorSanitizer"},
    // Memcheck's errors.
    {"Invalid read of size", kValgrind},
    {"Invalid write of size", kValgrind},
    {"Conditional jump or move depends on uninitialised", kValgrind},
    {"Use of uninitialised value", kValgrind},
    {"Invalid free()", kValgrind},
    {"Mismatched free()", kValgrind},
    {"Syscall param", kValgrind},
    {"Source and destination overlap", kValgrind},
    {"has a fishy value", kValgrind},
    {"Jump to the invalid address", kValgrind},
};

// Where `marker` next occurs in `output` from `from` as a report's first
// line: valgrind's only after "==PID== " at a line's start.
size_t FindMarker(const std::string& output, const Marker& marker,
                  size_t from) {
  for (size_t at = output.find(marker.text, from); at != std::string::npos;
       at = output.find(marker.text, at + 1)) {
    if (marker.sanitizer != kValgrind) return at;
    const size_t line = output.rfind('\n', at);
    const size_t start = line == std::string::npos ? 0 : line + 1;
    const size_t close = output.find("== ", start + 2);
    if (output.compare(start, 2, "==") == 0 && close != std::string::npos &&
        close + 3 == at &&
        output.find_first_not_of("0123456789", start + 2) == close) {
      return at;
    }
  }
  return std::string::npos;
}

// The kind of report a marker's line names: up to the first of " (",
// " on ", " at ", ":" or the line's end ("data race", "heap-use-after-free",
// "signed integer overflow").
std::string KindAt(const std::string& text, size_t from) {
  size_t end = text.find('\n', from);
  if (end == std::string::npos) end = text.size();
  for (const char* stop : {" (", " on ", " at ", ":"}) {
    const size_t found = text.find(stop, from);
    if (found != std::string::npos && found < end) end = found;
  }
  return text.substr(from, end - from);
}

#ifdef GTEST_PARALLEL_SANITIZER_HOOKS
// "Direct leak of 16 byte(s) in 1 object(s) allocated from:": the objects.
long ObjectsOf(const std::string& first_line) {
  const size_t in = first_line.find(" in ");
  return in == std::string::npos ? 0 : std::atol(first_line.c_str() + in + 4);
}

// True when ASAN_OPTIONS or LSAN_OPTIONS has a log_path: the reports then
// go to files of the user's choosing, and where they went cannot be
// restored.
bool UserSetLogPath() {
  for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS"}) {
    const char* options = std::getenv(name);
    if (options != nullptr && std::strstr(options, "log_path") != nullptr) {
      return true;
    }
  }
  return false;
}

// Runs a leak check with its report written to `report` (emptied first);
// true, with the report in *text, when it found leaks.
bool CheckLeaksInto(std::FILE* report, std::string* text) {
  const int fd = fileno(report);
  if (ftruncate(fd, 0) != 0) return false;
  std::rewind(report);
  __sanitizer_set_report_fd(reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  const bool leaked = __lsan_do_recoverable_leak_check() != 0;
  __sanitizer_set_report_fd(reinterpret_cast<void*>(intptr_t{2}));
  if (!leaked) return false;
  char buffer[4096];
  lseek(fd, 0, SEEK_SET);
  ssize_t got;
  while ((got = read(fd, buffer, sizeof(buffer))) > 0) {
    text->append(buffer, static_cast<size_t>(got));
  }
  return true;
}

// The blocks of a leak report `text` that hold more objects than *seen
// has for their leak (kind and allocation stack), each followed by a blank
// line; updates *seen, adds the new objects to *objects and counts the
// blocks in *count. Blocks are separated by blank lines; a leak's block
// starts with "Direct leak of" or "Indirect leak of" and holds its
// allocation stack.
std::string FreshLeakBlocks(const std::string& text,
                            std::map<std::string, long>* seen, long* objects,
                            int* count) {
  std::string fresh;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find("\n\n", at);
    if (end == std::string::npos) end = text.size();
    const std::string block = text.substr(at, end - at);
    at = end + 2;
    if (block.rfind("Direct leak of ", 0) != 0 &&
        block.rfind("Indirect leak of ", 0) != 0) {
      continue;
    }
    const size_t line_end = block.find('\n');
    const std::string first = block.substr(0, line_end);
    const std::string key =
        first.substr(0, first.find(' ')) +
        (line_end == std::string::npos ? "" : block.substr(line_end));
    const long block_objects = ObjectsOf(first);
    long& seen_objects = (*seen)[key];
    if (block_objects <= seen_objects) continue;
    *objects += block_objects - seen_objects;
    seen_objects = block_objects;
    fresh += block + "\n\n";
    ++*count;
  }
  return fresh;
}

// A LeakSanitizer report of the `count` leak blocks in `fresh`.
std::string LeakReport(const std::string& fresh, int count) {
  return "=================================================================\n"
         "==" +
         std::to_string(getpid()) +
         "==ERROR: LeakSanitizer: detected memory leaks\n\n" + fresh +
         "SUMMARY: LeakSanitizer: " + std::to_string(count) +
         " leak(s) not found by the check after the previous test.\n";
}
#endif

}  // namespace

Sanitizers DetectSanitizers() {
  Sanitizers found;
#ifdef GTEST_PARALLEL_SANITIZER_HOOKS
  found.any = __sanitizer_set_report_fd != nullptr;
#endif
  // Valgrind runs a program with its preloaded libraries.
  const char* preload = std::getenv("LD_PRELOAD");
  if (preload != nullptr && std::strstr(preload, "vgpreload") != nullptr) {
    found.any = true;
  }
#ifdef GTEST_PARALLEL_SANITIZER_HOOKS
  found.leak = __lsan_do_recoverable_leak_check != nullptr;
#endif
  return found;
}

LeakChecker::~LeakChecker() {
  if (report_ != nullptr) std::fclose(report_);
}

std::string LeakChecker::NewLeaks() {
#ifdef GTEST_PARALLEL_SANITIZER_HOOKS
  if (__lsan_do_recoverable_leak_check == nullptr) return "";
  if (report_ == nullptr && redirect_) {
    if (UserSetLogPath()) redirect_ = false;
    if (redirect_) report_ = std::tmpfile();
    if (report_ == nullptr) redirect_ = false;
  }
  if (!redirect_) {
    // The report went where the user sent it: each check repeats the
    // earlier leaks, so only the first finding can be told apart.
    const bool leaked = __lsan_do_recoverable_leak_check() != 0;
    if (!leaked || reported_blind_) return "";
    reported_blind_ = true;
    return "LeakSanitizer: detected memory leaks (see its log_path)\n";
  }
  std::string text;
  if (!CheckLeaksInto(report_, &text)) return "";
  int count = 0;
  const std::string fresh = FreshLeakBlocks(text, &seen_, &objects_, &count);
  if (fresh.empty()) return "";
  return LeakReport(fresh, count);
#else
  return "";
#endif
}

int CountReports(const std::string& output, const std::string& sanitizer) {
  int count = 0;
  for (const Marker& marker : kMarkers) {
    if (sanitizer != marker.sanitizer) continue;
    for (size_t at = FindMarker(output, marker, 0); at != std::string::npos;
         at = FindMarker(output, marker, at + 1)) {
      ++count;
    }
  }
  return count;
}

bool OnlyRepeatsReported(const std::string& output, long leaked_objects,
                         int races, int valgrind_errors) {
  bool repeated = false;
  // Valgrind's exit status (--error-exitcode) after errors reported on
  // tests, with no new error since.
  if (valgrind_errors > 0 && CountReports(output, kValgrind) == 0) {
    repeated = true;
  }
  for (const Marker& marker : kMarkers) {
    const int count = CountReports(output, marker.sanitizer);
    if (count == 0) continue;
    // Only LeakSanitizer's exit report may repeat what was reported.
    if (std::string(marker.sanitizer) != "LeakSanitizer" || count != 1 ||
        leaked_objects <= 0) {
      return false;
    }
    // "SUMMARY: AddressSanitizer: 64 byte(s) leaked in 2 allocation(s)."
    const size_t summary = output.find(" leaked in ");
    if (summary == std::string::npos ||
        std::atol(output.c_str() + summary + 11) != leaked_objects) {
      return false;
    }
    repeated = true;
  }
  const std::string races_line = "ThreadSanitizer: reported ";
  const size_t at = output.find(races_line);
  if (at != std::string::npos) {
    if (races <= 0 ||
        std::atoi(output.c_str() + at + races_line.size()) != races) {
      return false;
    }
    repeated = true;
  }
  return repeated;
}

std::vector<std::string> SanitizerReportsIn(const std::string& output) {
  // Kinds in the order first seen, with their counts.
  std::vector<std::pair<std::string, int>> kinds;
  for (const Marker& marker : kMarkers) {
    const bool valgrind = marker.sanitizer == kValgrind;
    const size_t length = valgrind ? 0 : std::strlen(marker.text);
    for (size_t at = FindMarker(output, marker, 0); at != std::string::npos;
         at = FindMarker(output, marker, at + 1)) {
      // Valgrind's kinds are whole lines ("Invalid read of size 4").
      std::string kind = valgrind
                             ? output.substr(at, output.find('\n', at) - at)
                             : KindAt(output, at + length);
      const std::string what =
          std::string(marker.sanitizer) + " reported \"" + kind + "\"";
      auto known = std::find_if(kinds.begin(), kinds.end(),
                                [&](const auto& k) { return k.first == what; });
      if (known == kinds.end()) {
        kinds.emplace_back(what, 1);
      } else {
        ++known->second;
      }
    }
  }
  std::vector<std::string> reports;
  for (const auto& [what, count] : kinds) {
    reports.push_back(
        count == 1 ? what : what + " " + std::to_string(count) + " times");
  }
  return reports;
}

}  // namespace internal
}  // namespace gtest_parallel
