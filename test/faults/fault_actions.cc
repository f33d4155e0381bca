// Misbehaviour shared by the fault fixtures (see fault_actions.h).
#include "fault_actions.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>

namespace faults {
namespace {

void WriteAll(const char* data, size_t size) {
  while (size > 0) {
    const ssize_t wrote = write(1, data, size);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return;
    data += wrote;
    size -= static_cast<size_t>(wrote);
  }
}

// 1 MiB of 64-byte flood lines.
const std::string& FloodChunk() {
  static const std::string* const chunk = [] {
    const std::string line =
        "faults: flood " + std::string(49, 'x') + "\n";  // 64 bytes.
    auto* text = new std::string;
    while (text->size() < (1u << 20)) *text += line;
    return text;
  }();
  return *chunk;
}

}  // namespace

void Say(const std::string& line) {
  std::fflush(nullptr);
  const std::string text = "faults: " + line + "\n";
  WriteAll(text.data(), text.size());
}

void WriteFlood(size_t bytes) {
  const std::string& chunk = FloodChunk();
  while (bytes > 0) {
    const size_t size = std::min(bytes, chunk.size());
    WriteAll(chunk.data(), size);
    bytes -= size;
  }
}

void FloodFor(std::chrono::seconds duration) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const std::string& chunk = FloodChunk();
  for (long chunks = 0; Clock::now() - start < duration; ++chunks) {
    WriteAll(chunk.data(), chunk.size());
    // At most 100 MiB a second, so that a run whose test is never stopped
    // does not fill the disk at once.
    std::this_thread::sleep_until(start +
                                  std::chrono::milliseconds(chunks * 10));
  }
}

void SleepFor(std::chrono::seconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

pid_t StartSleep1000() {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

pid_t ForkEndlessWriter() {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    static const char kLine[] = "faults: left-behind writer\n";
    // Whether or not the writes succeed, only a kill ends it.
    for (;;) {
      (void)!write(1, kLine, sizeof(kLine) - 1);
      usleep(10000);
    }
  }
  return pid;
}

int WriteGarbageIntoPipes() {
  std::mt19937 random(20240611);
  char garbage[4096];
  for (char& byte : garbage) byte = static_cast<char>(random());
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return 0;
  int pipes = 0;
  while (dirent* entry = readdir(fds)) {
    const int fd = std::atoi(entry->d_name);
    if (fd < 10 || fd == dirfd(fds)) continue;
    char target[64] = {};
    const std::string link = std::string("/proc/self/fd/") + entry->d_name;
    if (readlink(link.c_str(), target, sizeof(target) - 1) <= 0) continue;
    if (std::string(target).rfind("pipe:", 0) != 0) continue;
    // The read ends refuse (EBADF); the write ends take the garbage.
    if (write(fd, garbage, sizeof(garbage)) > 0) ++pipes;
  }
  closedir(fds);
  return pipes;
}

void NoteStarted() {
  const std::string dir = Env("FAULTS_STATE_DIR");
  const testing::TestInfo* info =
      testing::UnitTest::GetInstance()->current_test_info();
  if (dir.empty() || info == nullptr) return;
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');
  std::ofstream(dir + "/" + name + ".started") << "started\n";
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace faults
