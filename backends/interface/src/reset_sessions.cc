// The sessions the backends keep on their clones for Reset and Differences.
#include "gtest_parallel/internal/reset_sessions.h"

#include <utility>

#include "gtest_parallel/internal/util.h"

namespace gtest_parallel::internal {

std::vector<KeyedTriggerEvent> KeyedTriggerEvents(
    const std::vector<std::string>& key) {
  auto row_of = [&](const char* prefix) {
    std::vector<std::string> values;
    for (const std::string& column : key) values.push_back(prefix + column);
    return "(" + JoinStrings(values, ", ") + ")";
  };
  return {{"INSERT", row_of("NEW.")},
          {"DELETE", row_of("OLD.")},
          {"UPDATE", row_of("OLD.") + ", " + row_of("NEW.")}};
}

Status ResetSessions::Get(const std::string& clone, CloneResetter** resetter) {
  *resetter = nullptr;
  auto found = resetters_.find(clone);
  if (found != resetters_.end()) {
    *resetter = found->second.get();
    return Status();
  }
  std::unique_ptr<CloneResetter> opened;
  Status status = open_(clone, &opened);
  if (!status.ok()) {
    return Status(status.code(), "cannot open clone " + clone +
                                     " for reset: " + status.message());
  }
  if (opened != nullptr) {
    *resetter = opened.get();
    resetters_[clone] = std::move(opened);
  }
  return Status();
}

Status ResetSessions::Reset(const std::string& clone, ResetStats* stats) {
  ResetStats ignored;
  if (stats == nullptr) stats = &ignored;
  *stats = ResetStats();
  CloneResetter* resetter;
  Status status = Get(clone, &resetter);
  if (!status.ok()) return status;
  bool schema_changed = true;  // Not prepared: restore.
  if (resetter != nullptr) {
    status = resetter->Reset(&schema_changed, &stats->tables);
    if (status.code() == ErrorCode::kSqlError) {
      schema_changed = true;  // Restore() puts it back whatever it was.
    } else if (!status.ok()) {
      Close(clone);
      return Status(status.code(),
                    "cannot reset clone " + clone + ": " + status.message());
    }
  }
  if (!schema_changed) {
    stats->changed = !stats->tables.empty();
    return Status();
  }
  Close(clone);
  stats->tables.clear();
  status = restore_(clone);
  stats->changed = stats->restored = status.ok();
  return status;
}

Status ResetSessions::Differences(const std::string& clone,
                                  std::vector<TableDifference>* differences) {
  differences->clear();
  CloneResetter* resetter;
  Status status = Get(clone, &resetter);
  if (!status.ok()) return status;
  if (resetter == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  "the template of clone " + clone +
                      " was not prepared for reset (call PrepareReset)");
  }
  return resetter->Differences(differences);
}

}  // namespace gtest_parallel::internal
