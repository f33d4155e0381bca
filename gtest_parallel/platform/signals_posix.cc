// Interrupts on POSIX systems: a SIGINT and SIGTERM handler that counts
// them and writes to a wake pipe, and SIGPIPE ignored while it is in place.
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "platform/files.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Written by the handler, read by other threads: lock-free atomics, which
// a signal handler may use.
std::atomic<int> g_interrupts{0};
std::atomic<int> g_first_interrupt{0};
static_assert(std::atomic<int>::is_always_lock_free,
              "interrupt counters must be usable in a signal handler");
int g_interrupt_wake = -1;
pid_t g_catching_pid = 0;
bool g_ignoring_pipe = false;
struct sigaction g_saved_int, g_saved_term, g_saved_pipe;

void OnInterrupt(int signal) {
  const int saved_errno = errno;
  if (getpid() != g_catching_pid) {
    // A child forked without exec (a death test) dies of it as usual.
    ::signal(signal, SIG_DFL);
    raise(signal);
    errno = saved_errno;
    return;
  }
  // Stored before the count that makes it visible.
  int none = 0;
  g_first_interrupt.compare_exchange_strong(none, signal);
  g_interrupts.fetch_add(1);
  const char byte = 1;
  if (g_interrupt_wake >= 0) (void)!write(g_interrupt_wake, &byte, 1);
  errno = saved_errno;
}

}  // namespace

void CatchInterrupts(Handle wake, bool ignore_broken_pipes) {
  g_interrupt_wake = static_cast<int>(wake);
  g_catching_pid = getpid();
  g_ignoring_pipe = ignore_broken_pipes;
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = &OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &g_saved_int);
  sigaction(SIGTERM, &action, &g_saved_term);
  if (!ignore_broken_pipes) return;
  struct sigaction ignore;
  memset(&ignore, 0, sizeof(ignore));
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &g_saved_pipe);
}

void RestoreInterrupts() {
  sigaction(SIGINT, &g_saved_int, nullptr);
  sigaction(SIGTERM, &g_saved_term, nullptr);
  if (g_ignoring_pipe) sigaction(SIGPIPE, &g_saved_pipe, nullptr);
  g_ignoring_pipe = false;
  g_interrupt_wake = -1;
}

int InterruptCount() { return g_interrupts.load(); }
int FirstInterrupt() { return g_first_interrupt.load(); }

}  // namespace internal
}  // namespace gtest_parallel
