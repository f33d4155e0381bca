// The coordinator's listener chain, stated once. GoogleTest sends start
// events down its list of listeners and end events back up; the
// coordinator's list is
//
//   FirstListener -> Forwarder[default printer, user's listeners] ->
//   LastListener
//
// FirstListener hears start events first and end events last: it starts
// the workers and the iterations, puts stand-ins in place per suite, and
// wipes the progress line before anything prints (drawing it again after).
// The Forwarder passes every event to GoogleTest's default printer, taken
// out of the user's list and called where it was (first), with the test
// lines ConsoleLines writes in its place and the muted tests left out, and
// to the user's listeners (the original repeater, the XML/JSON printers
// among them). LastListener hears end events first: the workers' measured
// times are in place before anybody prints them.
#ifndef GTEST_PARALLEL_COORDINATOR_REPLAY_LISTENERS_H_
#define GTEST_PARALLEL_COORDINATOR_REPLAY_LISTENERS_H_

#include <gtest/gtest.h>

#include "googletest/console_printer.h"
#include "googletest/gtest_access.h"

namespace gtest_parallel {
namespace internal {

class Replay;

// Fills `front` (empty) with the chain above, around the user's listeners,
// and swaps it in as GoogleTest's repeater (SwapRepeaters(front) undoes
// it). printer: GoogleTest's default printer, taken out of the user's
// list, or null (--gtest_brief, or taken out by the user); lines writes
// the test lines in its place.
void InstallReplayListeners(Replay* replay, testing::TestEventListeners* front,
                            testing::TestEventListener* printer,
                            ConsoleLines* lines);

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_COORDINATOR_REPLAY_LISTENERS_H_
