// Environment scrubbing for child processes (see environment.h).
#include "support/environment.h"

extern char** environ;

namespace test_support {

bool IsScrubbed(const std::string& name) {
  for (const char* prefix : {"GTEST_", "TESTBRIDGE_", "FIXTURE_", "FAULTS_"}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  for (const char* scrubbed :
       {"XML_OUTPUT_FILE", "TEST_PREMATURE_EXIT_FILE", "TEST_SHARD_INDEX",
        "TEST_TOTAL_SHARDS", "TEST_SHARD_STATUS_FILE"}) {
    if (name == scrubbed) return true;
  }
  return false;
}

std::vector<std::string> ChildEnvironment(const EnvChanges& changes) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    if (IsScrubbed(name) || changes.count(name) != 0) continue;
    result.push_back(text);
  }
  for (const auto& [name, value] : changes) {
    if (value.has_value()) result.push_back(name + "=" + *value);
  }
  return result;
}

EnvChanges EnvAssignments(const std::vector<std::string>& entries) {
  EnvChanges changes;
  for (const std::string& entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) {
      changes[entry] = "";
    } else {
      changes[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
  }
  return changes;
}

}  // namespace test_support
