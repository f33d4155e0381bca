// Child processes and /proc scans for the fault tests (see harness.h).
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace faults {
namespace {

constexpr char kRunIdVariable[] = "FAULTS_RUN_ID";
// How long output may stay open after the process ended (something it left
// behind holds it).
constexpr double kOutputGraceSeconds = 2;

std::string NewRunId() {
  std::random_device device;
  std::ostringstream id;
  id << std::hex << getpid() << "-" << device() << device();
  return id.str();
}

// `env` with FAULTS_RUN_ID=`run_id` added.
test_support::EnvChanges WithRunId(test_support::EnvChanges env,
                                   const std::string& run_id) {
  env[kRunIdVariable] = run_id;
  return env;
}

std::string ReadProcFile(pid_t pid, const char* name) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/" + name,
                     std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

// False for zombies and processes already gone.
bool Alive(pid_t pid) {
  const std::string stat = ReadProcFile(pid, "stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() &&
         stat[paren + 2] != 'Z' && stat[paren + 2] != 'X';
}

double Seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

}  // namespace

std::string RunResult::Describe() const {
  std::string text;
  if (signal != 0) {
    text = "killed by signal " + std::to_string(signal) + " (" +
           strsignal(signal) + ")";
  } else {
    text = "exit code " + std::to_string(exit_code);
  }
  char time[32];
  std::snprintf(time, sizeof(time), " after %.1f s", seconds);
  text += time;
  if (timed_out) text = "timed out and was killed; " + text;
  return text;
}

FixtureRun::FixtureRun(std::vector<std::string> argv,
                       std::vector<std::string> env)
    : argv_(std::move(argv)),
      env_(test_support::EnvAssignments(env)),
      run_id_(NewRunId()),
      start_(std::chrono::steady_clock::now()),
      process_(argv_, WithRunId(env_, run_id_), "", RunResult::kKeptBytes) {}

FixtureRun::~FixtureRun() {
  if (!process_.exited()) process_.Kill();
  KillEverything();
}

std::string FixtureRun::CommandLine() const {
  return test_support::CommandLine(argv_, env_);
}

double FixtureRun::Elapsed() const {
  return Seconds(std::chrono::steady_clock::now() - start_);
}

bool FixtureRun::WaitForOutput(const std::string& text, double seconds) {
  return WaitFor(&process_.out(), text, seconds);
}

bool FixtureRun::WaitForError(const std::string& text, double seconds) {
  return WaitFor(&process_.err(), text, seconds);
}

bool FixtureRun::WaitFor(const std::string* stream, const std::string& text,
                         double seconds) {
  const double until = Elapsed() + seconds;
  while (stream->find(text) == std::string::npos) {
    if (Elapsed() > until || process_.exited()) return false;
    process_.Pump(20);
  }
  return true;
}

bool FixtureRun::WaitForFile(const std::string& path, double seconds) {
  const double until = Elapsed() + seconds;
  while (access(path.c_str(), F_OK) != 0) {
    if (Elapsed() > until || process_.exited()) return false;
    process_.Pump(20);
  }
  return true;
}

bool FixtureRun::WaitForProcesses(size_t count, double seconds) {
  const double until = Elapsed() + seconds;
  while (MarkedProcesses(run_id_).size() < count) {
    if (Elapsed() > until || process_.exited()) return false;
    process_.Pump(50);
  }
  return true;
}

void FixtureRun::Signal(int signal) { process_.Signal(signal); }

const RunResult& FixtureRun::Wait(double seconds) {
  const double until = Elapsed() + seconds;
  for (;;) {
    process_.Pump(20);
    if (process_.exited()) {
      const double since_exit =
          Seconds(std::chrono::steady_clock::now() - process_.exited_at());
      if (process_.output_closed() || since_exit > kOutputGraceSeconds) break;
    } else if (Elapsed() > until) {
      result_.timed_out = true;
      process_.Kill();
      KillEverything();
    }
  }
  result_.out = process_.out();
  result_.err = process_.err();
  result_.out_bytes = process_.out_bytes();
  result_.exit_code = process_.exit_code();
  result_.signal = process_.signal();
  result_.seconds =
      process_.pid() > 0 ? Seconds(process_.exited_at() - start_) : 0;
  return result_;
}

void FixtureRun::KillEverything() {
  for (int round = 0; round < 10; ++round) {
    const std::vector<pid_t> pids = MarkedProcesses(run_id_);
    if (pids.empty()) return;
    for (pid_t pid : pids) kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<pid_t> MarkedProcesses(const std::string& run_id) {
  const std::string marker = std::string(kRunIdVariable) + "=" + run_id;
  std::vector<pid_t> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid <= 0 || *end != '\0' || pid == getpid()) continue;
    const std::string environment =
        ReadProcFile(static_cast<pid_t>(pid), "environ");
    size_t at = 0;
    bool marked = false;
    while (at < environment.size() && !marked) {
      size_t next = environment.find('\0', at);
      if (next == std::string::npos) next = environment.size();
      marked = environment.compare(at, next - at, marker) == 0;
      at = next + 1;
    }
    if (marked && Alive(static_cast<pid_t>(pid))) {
      found.push_back(static_cast<pid_t>(pid));
    }
  }
  closedir(proc);
  return found;
}

std::string Leftovers(const std::string& run_id, double seconds) {
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<pid_t> pids = MarkedProcesses(run_id);
  while (!pids.empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pids = MarkedProcesses(run_id);
  }
  std::string description;
  for (pid_t pid : pids) {
    std::string command = ReadProcFile(pid, "cmdline");
    for (char& c : command) c = c == '\0' ? ' ' : c;
    while (!command.empty() && command.back() == ' ') command.pop_back();
    if (!description.empty()) description += ", ";
    description += "pid " + std::to_string(pid) + " (" + command + ")";
  }
  return description;
}

}  // namespace faults
