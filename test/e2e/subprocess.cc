// Runs a program with posix_spawn, capturing stdout and stderr through
// pipes read with poll(), with a timeout on the whole process group.
#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace gtest_parallel_e2e {
namespace {

using Clock = std::chrono::steady_clock;

// How long the output pipes may stay open after the process exited (held by
// processes it left behind) before we give up on them.
constexpr std::chrono::seconds kPipeGracePeriod(10);

// Variables that change how a GoogleTest program (or a fixture) runs; the
// children never inherit them.
bool IsScrubbed(const std::string& name) {
  for (const char* prefix : {"GTEST_", "TESTBRIDGE_", "FIXTURE_"}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  for (const char* scrubbed :
       {"XML_OUTPUT_FILE", "TEST_PREMATURE_EXIT_FILE", "TEST_SHARD_INDEX",
        "TEST_TOTAL_SHARDS", "TEST_SHARD_STATUS_FILE"}) {
    if (name == scrubbed) return true;
  }
  return false;
}

std::vector<std::string> ChildEnvironment(const EnvChanges& changes) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    if (IsScrubbed(name) || changes.count(name) != 0) continue;
    result.push_back(text);
  }
  for (const auto& [name, value] : changes) {
    if (value.has_value()) result.push_back(name + "=" + *value);
  }
  return result;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

std::string Quote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                      std::strchr("-_./=:,+@%", c) != nullptr);
  }
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Reads what is available from `fd` into `sink`; closes `fd` and sets it to
// -1 at end of file.
void Drain(int& fd, std::string& sink) {
  char buffer[65536];
  const ssize_t n = read(fd, buffer, sizeof(buffer));
  if (n > 0) {
    sink.append(buffer, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close(fd);
    fd = -1;
  }
}

}  // namespace

std::string ProcessResult::Describe() const {
  std::string text;
  if (exit_code >= 0) {
    text = "exit code " + std::to_string(exit_code);
  } else if (signal != 0) {
    text = "killed by signal " + std::to_string(signal) + " (" +
           strsignal(signal) + ")";
  } else {
    text = "did not finish";
  }
  if (!problem.empty()) text += "; " + problem;
  return text;
}

std::string CommandLine(const std::vector<std::string>& argv,
                        const EnvChanges& env) {
  std::string text;
  if (!env.empty()) {
    text = "env";
    for (const auto& [name, value] : env) {
      text += value.has_value() ? " " + Quote(name + "=" + *value)
                                : " -u " + Quote(name);
    }
    text += " ";
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    text += (i == 0 ? "" : " ") + Quote(argv[i]);
  }
  return text;
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const EnvChanges& env, int timeout_seconds,
                         const std::string& working_dir) {
  ProcessResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.problem = std::string("pipe2: ") + std::strerror(errno);
    return result;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.problem = std::string("pipe2: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  if (!working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  }

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD}) {
    sigaddset(&default_signals, s);
  }
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);

  std::vector<std::string> args = argv;
  std::vector<std::string> environment = ChildEnvironment(env);
  std::vector<char*> c_args = CStrings(args);
  std::vector<char*> c_environment = CStrings(environment);
  pid_t pid = -1;
  const int spawn_error = posix_spawn(&pid, c_args[0], &actions, &attributes,
                                      c_args.data(), c_environment.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.problem =
        "posix_spawn " + argv[0] + ": " + std::strerror(spawn_error);
    return result;
  }

  int out_fd = out_pipe[0];
  int err_fd = err_pipe[0];
  const Clock::time_point deadline =
      Clock::now() + std::chrono::seconds(timeout_seconds);
  Clock::time_point pipe_deadline = Clock::time_point::max();
  bool exited = false;
  int status = 0;
  while (true) {
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      pipe_deadline = Clock::now() + kPipeGracePeriod;
    }
    if (exited && out_fd < 0 && err_fd < 0) break;
    const Clock::time_point now = Clock::now();
    if (!exited && now >= deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      exited = true;
      pipe_deadline = now + kPipeGracePeriod;
      result.problem = "timed out after " + std::to_string(timeout_seconds) +
                       " s and was killed";
      continue;
    }
    if (exited && now >= pipe_deadline) {
      kill(-pid, SIGKILL);
      if (!result.problem.empty()) result.problem += "; ";
      result.problem += "its output was still open " +
                        std::to_string(kPipeGracePeriod.count()) +
                        " s after it exited (processes left behind?)";
      break;
    }
    pollfd fds[2];
    nfds_t count = 0;
    for (int fd : {out_fd, err_fd}) {
      if (fd >= 0) fds[count++] = pollfd{fd, POLLIN, 0};
    }
    if (poll(count > 0 ? fds : nullptr, count, 50) <= 0) continue;
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == out_fd) {
        Drain(out_fd, result.out);
      } else {
        Drain(err_fd, result.err);
      }
    }
  }
  if (out_fd >= 0) close(out_fd);
  if (err_fd >= 0) close(err_fd);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace gtest_parallel_e2e
