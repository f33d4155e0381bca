// Kept databases (--gtest_parallel_keepdb, --gtest_parallel_dropdb): a
// template named after its schema's hash, reused while the schema is
// unchanged, locked by the run using it, and dropped on request (see
// run_databases.h).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "databases/database_entry.h"
#include "databases/database_registry.h"
#include "gtest_parallel/internal/util.h"
#include "platform/cache_directory.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {

namespace {

// The schema hash of a kept template: the backend, base name, scripts
// (paths and contents) and schema_version.
bool SchemaHash(const DatabaseDeclaration& declaration,
                const std::string& scheme, const std::string& base,
                uint64_t* hash, std::string* error) {
  std::string data =
      scheme + '\0' + base + '\0' + declaration.schema_version + '\0';
  for (const std::string& path : declaration.sql_files) {
    std::string contents;
    const Status status = ReadTextFile(path, &contents);
    if (!status.ok()) {
      *error = "database '" + declaration.alias + "': cannot read schema " +
               "file " + path + ": " + status.message();
      return false;
    }
    data += path + '\0' + contents + '\0';
  }
  *hash = Fnv1a64(data);
  return true;
}

// Whether `name` is a kept database of `base`: "<base>_k<hash>" or
// "<base>_k<hash>_<worker>"; sets *kept_template to the former.
bool IsKept(const std::string& name, const std::string& base,
            std::string* kept_template) {
  const std::string prefix = base + "_" + kKeptPrefix;
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  const size_t end = prefix.size() + kKeptHashDigits;
  if (name.size() < end) return false;
  for (size_t i = prefix.size(); i < end; ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (!std::islower(c) && !std::isdigit(c)) return false;
  }
  if (name.size() > end) {
    if (name[end] != '_' || name.size() == end + 1 ||
        name.find_first_not_of("0123456789", end + 1) != std::string::npos) {
      return false;
    }
  }
  *kept_template = name.substr(0, end);
  return true;
}

// A kept template is only reused when the run that filled it finished the
// filling: it leaves this file behind (a run killed while filling does
// not).
std::string KeptMarker(const std::string& redacted_url,
                       const std::string& template_name) {
  const std::string cache = CacheDirectory();
  if (cache.empty()) return "";
  return cache + "/keepdb/" +
         ToBase36(Fnv1a64(redacted_url + '\n' + template_name), 13);
}

bool MarkerSays(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  std::string line;
  return !path.empty() && std::getline(in, line) && line == name;
}

void WriteMarker(const std::string& path, const std::string& name) {
  if (path.empty()) return;
  MakeDirectories(path.substr(0, path.rfind('/')), 0755);
  std::ofstream(path) << name << '\n';
}

// The kept databases of base on the server, by kept template: its clones
// first, then the template itself (when it exists).
Status ListKept(Backend& backend, const std::string& base,
                std::map<std::string, std::vector<std::string>>* kept) {
  kept->clear();
  std::vector<std::string> names;
  const Status status = backend.ListDatabases(&names);
  if (!status.ok()) return status;
  for (const std::string& name : names) {
    std::string kept_template;
    if (!IsKept(name, base, &kept_template)) continue;
    std::vector<std::string>& list = (*kept)[kept_template];
    if (name == kept_template) {
      list.push_back(name);
    } else {
      list.insert(list.begin(), name);
    }
  }
  return Status();
}

// The program's file name, for messages.
std::string ProgramName(const Options& options) {
  if (options.command_line.empty() || options.command_line[0].empty()) {
    return "this program";
  }
  const std::string& path = options.command_line[0];
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool RunDatabases::LockKept(Entry* entry, const std::string& name,
                            const std::function<bool()>& interrupted,
                            std::unique_ptr<BackendLock>* lock,
                            std::string* error) {
  bool said = false;
  for (;;) {
    const Status status = entry->backend->TryLock(name, lock);
    if (status.ok()) return true;
    if (status.code() != ErrorCode::kTemplateInUse) {
      *error = entry->Describe() + ": cannot lock kept template " + name +
               ": " + status.ToString();
      return false;
    }
    if (!said) {
      std::fprintf(stderr,
                   "[gtest_parallel] waiting for another run of %s that uses "
                   "the kept template %s on %s...\n",
                   ProgramName(options_).c_str(), name.c_str(),
                   entry->redacted.c_str());
      std::fflush(stderr);
      said = true;
    }
    if (interrupted()) {
      *error = "interrupted while waiting for kept template " + name;
      return false;
    }
    std::this_thread::sleep_for(kLockPoll);
  }
}

bool RunDatabases::DropOtherKept(Entry* entry, const std::string& name,
                                 bool* exists, std::string* error) {
  Backend& backend = *entry->backend;
  std::map<std::string, std::vector<std::string>> kept;
  Status status = ListKept(backend, SanitizeBaseName(entry->Base()), &kept);
  if (!status.ok()) {
    *error = entry->Describe() + ": " + status.ToString();
    return false;
  }
  for (const auto& [kept_template, names] : kept) {
    // Last run's clones, and databases of a schema that changed since
    // (unless a run still uses them).
    std::unique_ptr<BackendLock> other;
    if (kept_template != name && !backend.TryLock(kept_template, &other).ok()) {
      continue;
    }
    for (const std::string& other_name : names) {
      if (other_name == name) {
        *exists = true;
        continue;
      }
      status = backend.Drop(other_name);
      if (!status.ok()) {
        *error = entry->Describe() + ": cannot drop kept database " +
                 other_name + ": " + status.ToString();
        return false;
      }
      if (other_name == kept_template) {
        std::remove(KeptMarker(entry->redacted, other_name).c_str());
        std::fprintf(stderr,
                     "[gtest_parallel] dropped kept database %s: the schema "
                     "of '%s' changed\n",
                     other_name.c_str(), entry->declaration.alias.c_str());
      }
    }
  }
  return true;
}

bool RunDatabases::ReuseKeptTemplate(Entry* entry,
                                     const std::function<bool()>& interrupted,
                                     std::string* error) {
  Backend& backend = *entry->backend;
  const std::string base = SanitizeBaseName(entry->Base());
  uint64_t hash;
  if (!SchemaHash(entry->declaration, backend.url().scheme, base, &hash,
                  error)) {
    return false;
  }
  const std::string token =
      kKeptPrefix + ToBase36(hash, kKeptHashDigits).substr(0, kKeptHashDigits);
  const std::string name = TemplateName(entry->Base(), token);
  const std::string marker = KeptMarker(entry->redacted, name);
  // Another run using the template has it until it ends.
  if (!LockKept(entry, name, interrupted, &entry->lock, error)) return false;
  bool exists = false;
  if (!DropOtherKept(entry, name, &exists, error)) return false;
  if (exists && MarkerSays(marker, name)) {
    entry->template_name = name;
    std::fprintf(stderr,
                 "[gtest_parallel] reusing kept template %s of '%s' (schema "
                 "unchanged)\n",
                 name.c_str(), entry->declaration.alias.c_str());
    return true;
  }
  if (exists) {
    const Status status = backend.Drop(name);
    if (!status.ok()) {
      *error = entry->Describe() + ": cannot drop incomplete template " + name +
               ": " + status.ToString();
      return false;
    }
  }
  if (!MakeTemplate(entry, token, error)) return false;
  WriteMarker(marker, name);
  return true;
}

int RunDatabases::DropKept() {
  std::lock_guard<std::mutex> lock(mutex_);
  int result = 0;
  for (auto& entry : entries_) {
    if (!DropKeptOf(entry.get())) result = 1;
  }
  return result;
}

bool RunDatabases::DropKeptOf(Entry* entry) {
  Backend& backend = *entry->backend;
  const std::string base = SanitizeBaseName(entry->Base());
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "[gtest_parallel] %s: %s\n", entry->Describe().c_str(),
                 what.c_str());
    return false;
  };
  std::map<std::string, std::vector<std::string>> kept;
  Status status = ListKept(backend, base, &kept);
  if (!status.ok()) {
    return fail("cannot list the kept databases: " + status.ToString());
  }
  bool ok = true;
  for (const auto& [name, listed] : kept) {
    std::unique_ptr<BackendLock> lock;
    std::string error;
    if (!LockKept(
            entry, name, [] { return false; }, &lock, &error)) {
      std::fprintf(stderr, "[gtest_parallel] %s\n", error.c_str());
      ok = false;
      continue;
    }
    // Again: a run waited for may have made other clones.
    std::map<std::string, std::vector<std::string>> now;
    status = ListKept(backend, base, &now);
    if (!status.ok()) {
      ok = fail("cannot list the kept databases: " + status.ToString());
      continue;
    }
    for (const std::string& database : now[name]) {
      status = backend.Drop(database);
      if (!status.ok()) {
        ok = fail("cannot drop " + database + ": " + status.ToString());
        continue;
      }
      std::fprintf(stderr,
                   "[gtest_parallel] dropped kept database %s of '%s'\n",
                   database.c_str(), entry->declaration.alias.c_str());
    }
    std::remove(KeptMarker(entry->redacted, name).c_str());
  }
  if (kept.empty()) {
    std::fprintf(stderr, "[gtest_parallel] no kept databases of '%s' on %s\n",
                 entry->declaration.alias.c_str(), entry->redacted.c_str());
  }
  return ok;
}

int RunDropdb(const Options& options) {
  if (!RunDatabases::Declared()) {
    std::fprintf(stderr,
                 "[gtest_parallel] --gtest_parallel_dropdb: the program "
                 "declares no database\n");
    return 0;
  }
  RunDatabases databases(options);
  std::string error;
  if (!databases.Prepare(&error)) {
    std::fprintf(stderr, "gtest_parallel: %s\n", error.c_str());
    return kUsageExitCode;
  }
  return databases.DropKept();
}

}  // namespace internal
}  // namespace gtest_parallel
