// A minimal debugger stand-in for the end-to-end tests (Linux): runs
// argv[1..] as a traced child (PTRACE_TRACEME, as gdb starts a program),
// lets it run to its end, passing on the signals it receives, and exits
// with its exit code (128 + the signal number when a signal killed it).
//
// Usage: tracer PROGRAM [ARGS...]
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  const pid_t child = fork();
  if (child < 0) {
    std::perror("tracer: fork");
    return 2;
  }
  if (child == 0) {
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) {
      std::perror("tracer: PTRACE_TRACEME");
      _exit(125);
    }
    execv(argv[1], argv + 1);
    std::fprintf(stderr, "tracer: cannot run %s: %s\n", argv[1],
                 std::strerror(errno));
    _exit(127);
  }
  bool options_set = false;
  for (;;) {
    int status = 0;
    if (waitpid(child, &status, 0) < 0) {
      if (errno == EINTR) continue;
      std::perror("tracer: waitpid");
      return 2;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    if (!WIFSTOPPED(status)) continue;
    int deliver = 0;
    if (!options_set) {
      // The stop after execv(): from now on further execs are events, not
      // SIGTRAPs, and the child dies with the tracer.
      ptrace(PTRACE_SETOPTIONS, child, nullptr,
             reinterpret_cast<void*>(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
      options_set = true;
    } else if ((status >> 16) == 0) {
      // A signal for the child: passed on, unless this is a group stop
      // (which has no signal information), after which it just goes on.
      siginfo_t info;
      if (ptrace(PTRACE_GETSIGINFO, child, nullptr, &info) == 0) {
        deliver = WSTOPSIG(status);
      }
    }
    if (ptrace(PTRACE_CONT, child, nullptr,
               reinterpret_cast<void*>(static_cast<long>(deliver))) != 0 &&
        errno != ESRCH) {
      std::perror("tracer: PTRACE_CONT");
      return 2;
    }
  }
}
