// Helpers of the backend tests.
#include "test_support.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "support/subprocess.h"

namespace gtest_parallel::testing_support {
namespace {

// How long a program RunProgram starts may run before it is killed.
constexpr int kProgramTimeoutSeconds = 120;

}  // namespace

std::string ServerUrl(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (value != nullptr && *value != '\0') return value;
  const char* dir = std::getenv("GTEST_PARALLEL_DB_DIR");
  std::string env_file =
      std::string(dir != nullptr && *dir != '\0' ? dir
                                                 : "/tmp/gtest_parallel_db") +
      "/env.sh";
  std::ifstream in(env_file);
  std::string line;
  std::string prefix = "export " + variable + "='";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0 && line.size() > prefix.size() &&
        line.back() == '\'') {
      return line.substr(prefix.size(), line.size() - prefix.size() - 1);
    }
  }
  ADD_FAILURE() << variable << " is not set and " << env_file
                << " does not define it: run scripts/start-databases.sh "
                   "(and source the env.sh it writes) before these tests";
  return "";
}

std::string PasswordOf(const std::string& url) {
  DatabaseUrl parsed;
  if (!ParseDatabaseUrl(url, &parsed).ok()) return "";
  return parsed.password;
}

std::string FreshToken() {
  static std::atomic<int> sequence{1};
  return RunToken::ForThisProcess(sequence++).ToString();
}

std::vector<std::string> OwnDatabases(Backend& backend) {
  std::vector<std::string> names, own;
  Status status = backend.ListDatabases(&names);
  EXPECT_TRUE(status.ok()) << status.ToString();
  for (const std::string& name : names) {
    ManagedName managed;
    if (ParseManagedName(name, &managed) &&
        managed.token.pid() != static_cast<int>(getpid()) &&
        managed.token.OwnerState() == RunToken::Owner::kAlive) {
      continue;
    }
    own.push_back(name);
  }
  return own;
}

std::string MakeTempDirectory() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") +
                        "/gtest_parallel_backend_test.XXXXXX";
  char* made = mkdtemp(&pattern[0]);
  EXPECT_NE(made, nullptr);
  return pattern;
}

std::string TargetUrl(const std::string& url_variable, bool memory,
                      std::string* directory) {
  if (!url_variable.empty()) return ServerUrl(url_variable);
  *directory = MakeTempDirectory();
  return memory ? "sqlite::memory:" : "sqlite://" + *directory + "/app.db";
}

void RemoveTree(const std::string& path) {
  for (const std::string& entry : ListDirectory(path)) {
    std::string child = path + "/" + entry;
    struct stat info;
    if (lstat(child.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
      RemoveTree(child);
    } else {
      unlink(child.c_str());
    }
  }
  rmdir(path.c_str());
}

std::vector<std::string> ListDirectory(const std::string& path) {
  std::vector<std::string> entries;
  DIR* directory = opendir(path.c_str());
  if (directory == nullptr) return entries;
  while (dirent* entry = readdir(directory)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") entries.push_back(name);
  }
  closedir(directory);
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::string RunProgram(
    const std::vector<std::string>& argv,
    const std::vector<std::pair<std::string, std::string>>& environment,
    int* exit_code) {
  std::vector<std::string> command = argv;
  if (!command.empty()) command[0] = ::test_support::FindProgram(command[0]);
  ::test_support::EnvChanges changes;
  for (const auto& [name, value] : environment) changes[name] = value;
  const ::test_support::ProcessResult result =
      ::test_support::RunProcess(command, changes, kProgramTimeoutSeconds);
  // Its stderr goes where this test's goes, with why it did not run.
  std::fputs(result.err.c_str(), stderr);
  if (!result.problem.empty()) {
    std::fprintf(stderr, "%s: %s\n", command.empty() ? "" : command[0].c_str(),
                 result.problem.c_str());
  }
  *exit_code = result.exit_code;
  return result.out;
}

double MillisecondsSince(const std::chrono::steady_clock::time_point& start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace gtest_parallel::testing_support
