// Interrupts on Windows: a console control handler that counts Ctrl-C,
// Ctrl-Break and the console's closing and writes to a wake pipe.

// windows.h first, as the files below need it.
#include <atomic>

#include "platform/files.h"
#include "platform/signals.h"
#include "platform/windows_handles.h"

namespace gtest_parallel {
namespace internal {
namespace {

std::atomic<int> g_interrupts{0};
std::atomic<int> g_first_interrupt{0};
std::atomic<Handle> g_wake{kNoHandle};

BOOL WINAPI OnControl(DWORD event) {
  int signal = 0;
  switch (event) {
    case CTRL_C_EVENT:
      signal = 2;  // SIGINT
      break;
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
      signal = 15;  // SIGTERM
      break;
    default:
      return FALSE;
  }
  int none = 0;
  g_first_interrupt.compare_exchange_strong(none, signal);
  g_interrupts.fetch_add(1);
  const Handle wake = g_wake.load();
  if (wake != kNoHandle) WriteWakeByte(wake);
  return TRUE;
}

}  // namespace

void CatchInterrupts(Handle wake, bool /*ignore_broken_pipes*/) {
  // Broken pipes are errors from WriteFile on Windows, never signals.
  g_wake.store(wake);
  SetConsoleCtrlHandler(&OnControl, TRUE);
}

void RestoreInterrupts() {
  SetConsoleCtrlHandler(&OnControl, FALSE);
  g_wake.store(kNoHandle);
}

int InterruptCount() { return g_interrupts.load(); }
int FirstInterrupt() { return g_first_interrupt.load(); }

}  // namespace internal
}  // namespace gtest_parallel
