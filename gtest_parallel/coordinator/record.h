// What the coordinator keeps of each test, suite set-up or tear-down and
// environment phase a worker ran (Record), and the store through which the
// I/O thread hands finished records to the replay (ReadyRecords). Pure: no
// processes, no GoogleTest state.
#ifndef GTEST_PARALLEL_RECORD_H_
#define GTEST_PARALLEL_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "protocol/protocol.h"

namespace gtest_parallel {
namespace internal {

// Everything one test, suite set-up/tear-down or environment phase produced:
// its output and results in the order they happened, its properties and
// times.
struct Record {
  struct Item {
    bool is_part = false;
    std::string output;  // When !is_part.
    Part part;           // When is_part.
  };
  std::vector<Item> items;
  std::vector<Property> properties;
  int64_t start_ms = 0;
  int64_t elapsed_ms = 0;
  size_t output_bytes = 0;    // Kept in items.
  size_t output_dropped = 0;  // Cut off at the front to stay within limit.
  bool flaky = false;         // Passed after failed attempts.
  int worker = 0;             // The worker that ran it, 0 if none.
  // Cut short by an interrupt of the run (reported skipped, not failed),
  // or never started because of one.
  bool interrupted = false;
  bool not_run = false;

  void AddOutput(const std::string& text, size_t limit);
  void AddPart(const Part& part) { items.push_back(Item{true, {}, part}); }
  // The test cleared its results after its first parts: all but the last
  // `keep` parts no longer count (they were printed when they happened).
  void ClearParts(size_t keep);
  size_t cleared_parts = 0;  // The first parts, cleared by the test.
  // Appends other's items and properties (for merged suite tear-downs).
  void Merge(const Record& other);
  bool Failed() const;
};

// Records the I/O thread hands to the replay, keyed by test or suite id,
// under a lock of their own: the replay takes a record that is in without
// waiting for the coordinator's lock, which the I/O thread holds while it
// handles a batch of events. The replay takes everything handed over so far
// at once, so the two threads seldom meet at the lock, and what it keeps is
// allocated and freed by the replay's thread alone.
class ReadyRecords {
 public:
  // What the replay learns of a record the moment it is received, before
  // it takes it in GoogleTest's order (see TakeArrivals).
  struct Arrival {
    int key = -1;
    bool failed = false;
    bool interrupted = false;
    int64_t elapsed_ms = 0;
    int worker = 0;
  };

  // Room for keys 0..keys-1 (more grow it), before any other call.
  void Reserve(size_t keys);
  // Keeps an Arrival for every record received from now on.
  void TrackArrivals() { track_arrivals_ = true; }
  // From any thread.
  void Put(int key, Record record);
  // From the replay's thread only.
  bool Has(int key);
  // Moves the record out; false when there is none.
  bool Take(int key, Record* record);
  // Receives what was handed over, and returns the arrivals since the last
  // call, in the order the records were handed over.
  std::vector<Arrival> TakeArrivals();
  void Clear();

 private:
  void Receive();
  // The received record for `key`, receiving what was handed over if it is
  // not there yet; null when there is none.
  Record* Find(int key);

  std::mutex mutex_;
  std::vector<std::pair<int, Record>> handed_;  // Guarded by mutex_.
  std::vector<std::pair<int, Record>> batch_;   // The replay's.
  // The replay's. Keys are test or suite ids, so a table sized once finds
  // a record without hashing: slot_of_[key] is where in pool_ it is, -1
  // when it is not in. The pool holds only the records received and not
  // taken yet, and reuses their places.
  std::vector<int32_t> slot_of_;
  std::vector<Record> pool_;
  std::vector<int32_t> free_;  // Places in pool_ no record uses.
  bool track_arrivals_ = false;
  std::vector<Arrival> arrivals_;  // The replay's.
};

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_RECORD_H_
