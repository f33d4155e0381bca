// Interrupts (SIGINT and SIGTERM; Ctrl-C and Ctrl-Break on Windows), counted
// and turned into a wake-up, implemented by signals_posix.cc (sigaction) and
// signals_windows.cc (a console control handler).
#ifndef GTEST_PARALLEL_PLATFORM_SIGNALS_H_
#define GTEST_PARALLEL_PLATFORM_SIGNALS_H_

#include "platform/files.h"

namespace gtest_parallel {
namespace internal {

// Catches SIGINT and SIGTERM (Ctrl-C and Ctrl-Break on Windows) and, if
// asked, ignores SIGPIPE until RestoreInterrupts(): each interrupt is
// counted and wakes `wake` (a WakePipe's write end). Children forked
// without exec still die of them.
void CatchInterrupts(Handle wake, bool ignore_broken_pipes = true);
// Puts back the handling CatchInterrupts replaced.
void RestoreInterrupts();
// Interrupts so far, and the signal number of the first one.
int InterruptCount();
int FirstInterrupt();

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_PLATFORM_SIGNALS_H_
