// RunToken: who owns a set of databases, and whether that owner still runs.
// The liveness check reads /proc (Linux) or asks Windows for the process's
// creation time; elsewhere a token's owner is only known to be alive or
// dead through kill(pid, 0).
#include "gtest_parallel/run_token.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel {
namespace {

constexpr char kPrefix[] = "gtp";
constexpr size_t kPrefixLength = 3;
constexpr size_t kHostDigits = 6;
constexpr size_t kPidDigits = 5;
constexpr size_t kStartDigits = 8;
constexpr size_t kSequenceDigits = 2;
static_assert(kPrefixLength + kHostDigits + kPidDigits + kStartDigits +
                      kSequenceDigits ==
                  RunToken::kLength,
              "token layout");

uint64_t Power36(size_t digits) {
  uint64_t value = 1;
  for (size_t i = 0; i < digits; ++i) value *= 36;
  return value;
}

#ifndef _WIN32
std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}
#endif

// Tells this machine and PID namespace from others: a hash of the boot id
// and the PID namespace (on Windows, of the computer's name), as 6 base-36
// digits.
uint64_t ThisHostTag() {
  static const uint64_t tag = [] {
#ifdef _WIN32
    char host[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD size = sizeof(host);
    GetComputerNameA(host, &size);
    const std::string identity(host, size);
#else
    std::string identity = ReadFirstLine("/proc/sys/kernel/random/boot_id");
    char link[256] = {};
    ssize_t size = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);
    if (size > 0) identity += "|" + std::string(link, size);
    if (identity.empty()) {
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      identity = host;
    }
#endif
    return internal::Fnv1a64(identity) % Power36(kHostDigits);
  }();
  return tag;
}

// Reads the state letter and start time (clock ticks since boot) of a
// process; false when it does not exist.
bool ReadProcessStat(int pid, char* state, uint64_t* start_time) {
#ifdef __linux__
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  fields >> *state;
  // Fields after the state: ppid (4) ... starttime (22).
  for (int i = 4; i <= 22; ++i) fields >> field;
  if (fields.fail()) return false;
  *start_time = std::stoull(field);
  return true;
#elif defined(_WIN32)
  // The creation time tells a reused process id from the token's owner.
  HANDLE process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                               static_cast<DWORD>(pid));
  if (process == nullptr) return false;
  FILETIME created, exited, kernel, user;
  DWORD code = 0;
  const bool ok = GetProcessTimes(process, &created, &exited, &kernel, &user) &&
                  GetExitCodeProcess(process, &code);
  CloseHandle(process);
  if (!ok) return false;
  *state = code == STILL_ACTIVE ? 'R' : 'X';
  *start_time = ((static_cast<uint64_t>(created.dwHighDateTime) << 32) |
                 created.dwLowDateTime) /
                100000;  // Hundredths of a second.
  return true;
#else
  *state = 'R';
  *start_time = 0;
  return kill(pid, 0) == 0 || errno == EPERM;
#endif
}

bool ParseBase36(const std::string& text, uint64_t* value) {
  *value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    *value = *value * 36 + digit;
  }
  return true;
}

}  // namespace

RunToken RunToken::ForThisProcess(int sequence) {
  RunToken token;
#ifdef _WIN32
  const int pid = static_cast<int>(GetCurrentProcessId());
#else
  const int pid = static_cast<int>(getpid());
#endif
  ForProcess(pid, sequence, &token);
  return token;
}

bool RunToken::ForProcess(int pid, int sequence, RunToken* token) {
  char state;
  uint64_t start_time;
  if (pid <= 0 || !ReadProcessStat(pid, &state, &start_time)) return false;
  token->host_tag_ = ThisHostTag();
  token->pid_ = pid;
  token->start_time_ = start_time % Power36(kStartDigits);
  token->sequence_ = sequence < 0 ? 0 : sequence % (kMaxSequence + 1);
  return true;
}

bool RunToken::Parse(const std::string& text, RunToken* token) {
  if (text.size() != kLength || text.compare(0, kPrefixLength, kPrefix) != 0) {
    return false;
  }
  uint64_t host, pid, start, sequence;
  size_t at = kPrefixLength;
  if (!ParseBase36(text.substr(at, kHostDigits), &host) ||
      !ParseBase36(text.substr(at += kHostDigits, kPidDigits), &pid) ||
      !ParseBase36(text.substr(at += kPidDigits, kStartDigits), &start) ||
      !ParseBase36(text.substr(at += kStartDigits, kSequenceDigits),
                   &sequence) ||
      pid == 0) {
    return false;
  }
  token->host_tag_ = host;
  token->pid_ = static_cast<int>(pid);
  token->start_time_ = start;
  token->sequence_ = static_cast<int>(sequence);
  return true;
}

std::string RunToken::ToString() const {
  return kPrefix + internal::ToBase36(host_tag_, kHostDigits) +
         internal::ToBase36(pid_, kPidDigits) +
         internal::ToBase36(start_time_, kStartDigits) +
         internal::ToBase36(sequence_, kSequenceDigits);
}

RunToken::Owner RunToken::OwnerState() const {
  if (host_tag_ != ThisHostTag()) return Owner::kUnknown;
  char state;
  uint64_t start_time;
  if (!ReadProcessStat(pid_, &state, &start_time)) return Owner::kDead;
  if (state == 'Z' || state == 'X') return Owner::kDead;
  if (start_time % Power36(kStartDigits) != start_time_) return Owner::kDead;
  return Owner::kAlive;
}

}  // namespace gtest_parallel
