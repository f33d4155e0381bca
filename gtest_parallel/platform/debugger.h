// Whether a debugger is attached to this process: a run under a debugger
// stays in this process, where its breakpoints are, instead of spreading the
// tests over workers the debugger does not see.
#ifndef GTEST_PARALLEL_DEBUGGER_H_
#define GTEST_PARALLEL_DEBUGGER_H_

namespace gtest_parallel {
namespace internal {

// True when a debugger (or another tracer) is attached to this process:
// Linux: TracerPid in /proc/self/status, unless the tracer is strace or
// ltrace; macOS: P_TRACED; Windows: IsDebuggerPresent(). False elsewhere,
// and when it cannot be told.
bool DebuggerAttached();

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_DEBUGGER_H_
