// Internals shared by the backends' Reset and Differences: a session kept
// on each clone (CloneResetter, one per backend) and the bookkeeping around
// it (ResetSessions). Not part of the stable interface.
#ifndef GTEST_PARALLEL_INTERNAL_RESET_SESSIONS_H_
#define GTEST_PARALLEL_INTERNAL_RESET_SESSIONS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest_parallel/backend.h"

namespace gtest_parallel::internal {

// One row trigger of a tracked table: its event and the key values it logs
// for a changed row, e.g. "(OLD.id), (NEW.id)" for an UPDATE.
struct KeyedTriggerEvent {
  const char* name;  // "INSERT", "DELETE" or "UPDATE".
  std::string rows;  // One "(...)" of key columns per row it touches.
};

// The three row triggers of a table whose key is `key` (columns already
// quoted for the dialect; empty for a table without one, whose rows are
// then "()").
std::vector<KeyedTriggerEvent> KeyedTriggerEvents(
    const std::vector<std::string>& key);

// A session on one clone of a prepared template that puts it back.
class CloneResetter {
 public:
  virtual ~CloneResetter() = default;

  // Copies the changed tables back, adding their names to *tables; sets
  // *schema_changed instead when the clone's schema may differ from the
  // template's (the caller restores it). kTemplateInUse: a lock another
  // session holds; kSqlError: the caller restores the clone.
  virtual Status Reset(bool* schema_changed,
                       std::vector<std::string>* tables) = 0;
  // The tables that differ from the template now.
  virtual Status Differences(std::vector<TableDifference>* differences) = 0;
};

// The resetters of one backend's clones, by clone name.
class ResetSessions {
 public:
  // Opens the resetter of a clone; leaves it null when the clone's template
  // was not prepared.
  using Opener = std::function<Status(const std::string& clone,
                                      std::unique_ptr<CloneResetter>*)>;
  // Backend::Restore.
  using Restorer = std::function<Status(const std::string& clone)>;

  ResetSessions(Opener open, Restorer restore)
      : open_(std::move(open)), restore_(std::move(restore)) {}

  // Backend::Reset: Restore() when the template was not prepared, the
  // schema changed or the copy failed other than on a lock.
  Status Reset(const std::string& clone, ResetStats* stats);
  // Backend::Differences: kInvalidArgument when the template was not
  // prepared.
  Status Differences(const std::string& clone,
                     std::vector<TableDifference>* differences);
  // Closes the session on clone (before it is restored or dropped).
  void Close(const std::string& clone) { resetters_.erase(clone); }
  // Closes every session.
  void CloseAll() { resetters_.clear(); }

 private:
  Status Get(const std::string& clone, CloneResetter** resetter);

  Opener open_;
  Restorer restore_;
  std::map<std::string, std::unique_ptr<CloneResetter>> resetters_;
};

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_INTERNAL_RESET_SESSIONS_H_
