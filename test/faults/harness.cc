// Child processes and /proc scans for the fault tests (see harness.h).
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace faults {
namespace {

constexpr char kRunIdVariable[] = "FAULTS_RUN_ID";
// How long output may stay open after the process ended (something it left
// behind holds it).
constexpr double kOutputGraceSeconds = 2;

bool StartsWith(const std::string& text, const char* prefix) {
  return text.rfind(prefix, 0) == 0;
}

// False for our own variables and those that would change how a GoogleTest
// program runs.
bool Inherited(const std::string& entry) {
  return !StartsWith(entry, "GTEST_") && !StartsWith(entry, "TESTBRIDGE_") &&
         !StartsWith(entry, "XML_OUTPUT_FILE=") &&
         !StartsWith(entry, "FAULTS_");
}

std::string NewRunId() {
  std::random_device device;
  std::ostringstream id;
  id << std::hex << getpid() << "-" << device() << device();
  return id.str();
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

std::string ShellQuote(const std::string& word) {
  if (word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
                             "TUVWXYZ0123456789_-+=/.,:%@") ==
      std::string::npos) {
    return word;
  }
  std::string quoted = "'";
  for (char c : word)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
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
    : argv_(std::move(argv)), env_(std::move(env)), run_id_(NewRunId()) {
  start_ = std::chrono::steady_clock::now();
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (Inherited(*entry)) environment.push_back(*entry);
  }
  environment.insert(environment.end(), env_.begin(), env_.end());
  environment.push_back(std::string(kRunIdVariable) + "=" + run_id_);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    error_ = std::string("pipe2: ") + strerror(errno);
    exited_ = true;
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD}) {
    sigaddset(&defaults, signal);
  }
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args, envp;
  for (std::string& arg : argv_) args.push_back(&arg[0]);
  args.push_back(nullptr);
  for (std::string& entry : environment) envp.push_back(&entry[0]);
  envp.push_back(nullptr);
  const int failed = posix_spawn(&pid_, args[0], &actions, &attributes,
                                 args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
  fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  fcntl(err_fd_, F_SETFL, O_NONBLOCK);
  if (failed != 0) {
    error_ = "posix_spawn " + argv_[0] + ": " + strerror(failed);
    pid_ = -1;
    exited_ = true;
  }
}

FixtureRun::~FixtureRun() {
  if (pid_ > 0 && !exited_) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  KillEverything();
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

std::string FixtureRun::CommandLine() const {
  std::string line;
  for (const std::string& entry : env_) line += ShellQuote(entry) + " ";
  for (const std::string& arg : argv_) line += ShellQuote(arg) + " ";
  if (!line.empty()) line.pop_back();
  return line;
}

double FixtureRun::Elapsed() const {
  return Seconds(std::chrono::steady_clock::now() - start_);
}

void FixtureRun::Pump(int timeout_ms) {
  if (!exited_ && pid_ > 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exited_at_ = std::chrono::steady_clock::now();
      result_.seconds = Seconds(exited_at_ - start_);
      result_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      result_.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
  }
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (out_fd_ < 0 && err_fd_ < 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  // Short polls: the process is reaped between them.
  if (poll(fds, 2, std::min(timeout_ms, 20)) <= 0) return;
  int* const ends[2] = {&out_fd_, &err_fd_};
  std::string* const texts[2] = {&result_.out, &result_.err};
  char buffer[1 << 16];
  for (int i = 0; i < 2; ++i) {
    if (*ends[i] < 0 || fds[i].revents == 0) continue;
    for (;;) {
      const ssize_t got = read(*ends[i], buffer, sizeof(buffer));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) break;  // EAGAIN: nothing more now.
      if (got == 0) {
        close(*ends[i]);
        *ends[i] = -1;
        break;
      }
      if (i == 0) result_.out_bytes += static_cast<size_t>(got);
      const size_t room = RunResult::kKeptBytes - texts[i]->size();
      texts[i]->append(buffer, std::min(room, static_cast<size_t>(got)));
    }
  }
}

bool FixtureRun::WaitForOutput(const std::string& text, double seconds) {
  return WaitFor(&result_.out, text, seconds);
}

bool FixtureRun::WaitForError(const std::string& text, double seconds) {
  return WaitFor(&result_.err, text, seconds);
}

bool FixtureRun::WaitFor(const std::string* stream, const std::string& text,
                         double seconds) {
  const double until = Elapsed() + seconds;
  while (stream->find(text) == std::string::npos) {
    if (Elapsed() > until || exited_) return false;
    Pump(20);
  }
  return true;
}

bool FixtureRun::WaitForFile(const std::string& path, double seconds) {
  const double until = Elapsed() + seconds;
  while (access(path.c_str(), F_OK) != 0) {
    if (Elapsed() > until || exited_) return false;
    Pump(20);
  }
  return true;
}

bool FixtureRun::WaitForProcesses(size_t count, double seconds) {
  const double until = Elapsed() + seconds;
  while (MarkedProcesses(run_id_).size() < count) {
    if (Elapsed() > until || exited_) return false;
    Pump(50);
  }
  return true;
}

void FixtureRun::Signal(int signal) {
  if (pid_ > 0 && !exited_) kill(pid_, signal);
}

const RunResult& FixtureRun::Wait(double seconds) {
  const double until = Elapsed() + seconds;
  for (;;) {
    Pump(20);
    if (exited_) {
      const bool closed = out_fd_ < 0 && err_fd_ < 0;
      const double since_exit =
          Seconds(std::chrono::steady_clock::now() - exited_at_);
      if (closed || since_exit > kOutputGraceSeconds) break;
    } else if (Elapsed() > until && pid_ > 0) {
      result_.timed_out = true;
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);
      KillEverything();
    }
  }
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
