// Child processes through posix_spawn, their output read through pipes
// with poll() (see subprocess.h).
#include "support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace test_support {
namespace {

using Clock = std::chrono::steady_clock;

// How long RunProcess lets the output stay open after the process ended.
constexpr std::chrono::seconds kPipeGracePeriod(10);

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

}  // namespace

Subprocess::Subprocess(const std::vector<std::string>& argv,
                       const EnvChanges& env, const std::string& working_dir,
                       size_t kept_bytes)
    : kept_bytes_(kept_bytes) {
  int out[2];
  int err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    GiveUp(std::string("pipe2: ") + std::strerror(errno));
    return;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    GiveUp(std::string("pipe2: ") + std::strerror(errno));
    close(out[0]);
    close(out[1]);
    return;
  }
  const int spawn_error = Spawn(argv, env, working_dir, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  if (spawn_error != 0) {
    close(out[0]);
    close(err[0]);
    GiveUp("posix_spawn " + argv[0] + ": " + std::strerror(spawn_error));
    return;
  }
  out_fd_ = out[0];
  err_fd_ = err[0];
  fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  fcntl(err_fd_, F_SETFL, O_NONBLOCK);
}

Subprocess::~Subprocess() {
  if (!exited_) {
    Kill();
    Reap(0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

int Subprocess::Spawn(const std::vector<std::string>& argv,
                      const EnvChanges& env, const std::string& working_dir,
                      int out, int err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out, 1);
  posix_spawn_file_actions_adddup2(&actions, err, 2);
  if (!working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  }
  // No blocked signals, and the default action for those this process
  // (a test program) may ignore or handle.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) {
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
  const int spawn_error = posix_spawn(&pid_, c_args[0], &actions, &attributes,
                                      c_args.data(), c_environment.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) pid_ = -1;
  return spawn_error;
}

void Subprocess::GiveUp(const std::string& error) {
  error_ = error;
  exited_ = true;
  exited_at_ = Clock::now();
}

void Subprocess::Reap(int options) {
  if (exited_ || pid_ <= 0) return;
  int status = 0;
  pid_t reaped;
  do {
    reaped = waitpid(pid_, &status, options);
  } while (reaped < 0 && errno == EINTR);
  if (reaped != pid_) return;
  exited_ = true;
  exited_at_ = Clock::now();
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    signal_ = WTERMSIG(status);
  }
}

void Subprocess::Drain(int* fd, std::string* sink) {
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = read(*fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;  // Nothing more for now.
    if (got <= 0) {
      close(*fd);
      *fd = -1;
      return;
    }
    if (sink == &out_) out_bytes_ += static_cast<size_t>(got);
    const size_t room = kept_bytes_ - std::min(kept_bytes_, sink->size());
    sink->append(buffer, std::min(room, static_cast<size_t>(got)));
  }
}

void Subprocess::Pump(int timeout_ms) {
  Reap(WNOHANG);
  if (output_closed()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return;
  }
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (poll(fds, 2, timeout_ms) <= 0) return;
  if (out_fd_ >= 0 && fds[0].revents != 0) Drain(&out_fd_, &out_);
  if (err_fd_ >= 0 && fds[1].revents != 0) Drain(&err_fd_, &err_);
}

void Subprocess::Signal(int signal) {
  if (pid_ > 0 && !exited_) kill(pid_, signal);
}

void Subprocess::Kill() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  // In case it left its process group.
  if (!exited_) kill(pid_, SIGKILL);
}

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

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const EnvChanges& env, int timeout_seconds,
                         const std::string& working_dir) {
  ProcessResult result;
  Subprocess process(argv, env, working_dir);
  result.problem = process.error();
  const Clock::time_point deadline =
      Clock::now() + std::chrono::seconds(timeout_seconds);
  bool killed = false;
  while (!process.exited() || !process.output_closed()) {
    const Clock::time_point now = Clock::now();
    if (!process.exited() && now >= deadline && !killed) {
      process.Kill();
      killed = true;
      result.problem = "timed out after " + std::to_string(timeout_seconds) +
                       " s and was killed";
    } else if (process.exited() &&
               now >= process.exited_at() + kPipeGracePeriod) {
      process.Kill();
      if (!result.problem.empty()) result.problem += "; ";
      result.problem += "its output was still open " +
                        std::to_string(kPipeGracePeriod.count()) +
                        " s after it exited (processes left behind?)";
      break;
    }
    process.Pump(50);
  }
  result.out = process.out();
  result.err = process.err();
  result.exit_code = process.exit_code();
  result.signal = process.signal();
  return result;
}

std::string FindProgram(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  const std::string directories = path != nullptr ? path : "/bin:/usr/bin";
  size_t begin = 0;
  for (;;) {
    const size_t end =
        std::min(directories.find(':', begin), directories.size());
    const std::string directory = directories.substr(begin, end - begin);
    const std::string candidate =
        (directory.empty() ? "." : directory) + "/" + name;
    struct stat info;
    if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == directories.size()) return name;
    begin = end + 1;
  }
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

}  // namespace test_support
