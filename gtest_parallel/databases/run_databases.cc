// The life of a run's databases (see run_databases.h).
#include "databases/run_databases.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "databases/database_registry.h"
#include "gtest_parallel/internal/util.h"
#include "platform/cache_directory.h"
#include "platform/child_process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Kept templates (--gtest_parallel_keepdb) are named after the schema
// hash instead of a run token: "k" and this many base-36 digits.
constexpr size_t kKeptHashDigits = 12;
constexpr char kKeptPrefix = 'k';
// How often a run waiting for a kept template another run uses asks again.
constexpr std::chrono::milliseconds kLockPoll(200);

std::map<std::string, std::string>& UrlOverrides() {
  static auto* overrides = new std::map<std::string, std::string>;
  return *overrides;
}

// An alias as it appears in variable names: upper case, '-' as '_'.
std::string Upper(std::string text) {
  for (char& c : text) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return text;
}

bool ValidAlias(const std::string& alias) {
  if (alias.empty() || alias.size() > 32 ||
      !std::isalpha(static_cast<unsigned char>(alias[0]))) {
    return false;
  }
  return std::all_of(alias.begin(), alias.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// The URL of a declared database and where it came from.
void ResolveUrl(const DatabaseDeclaration& declaration,
                const std::map<std::string, std::string>& flags,
                std::string* url, std::string* source) {
  const std::string variable = DatabaseUrlVariable(declaration.alias);
  if (auto found = flags.find(declaration.alias); found != flags.end()) {
    *url = found->second;
    *source = "--gtest_parallel_db=" + declaration.alias + "=...";
  } else if (const char* value = std::getenv(variable.c_str());
             value != nullptr && *value != '\0') {
    *url = value;
    *source = variable;
  } else {
    *url = declaration.url;
    *source = "its declaration";
  }
}

// The backend for a URL; *error names the database and, for a scheme no
// linked backend handles, the CMake target to link.
bool MakeBackend(const std::string& alias, const std::string& url,
                 std::shared_ptr<Backend>* backend, std::string* error,
                 const BackendOptions& options = BackendOptions()) {
  std::unique_ptr<Backend> made;
  const Status status = CreateBackend(url, options, &made);
  if (!status.ok()) {
    *error = "database '" + alias + "': " + status.message();
    return false;
  }
  *backend = std::move(made);
  return true;
}

// Puts the variables of database `name` into this process's environment.
// A backend's own GTEST_PARALLEL_ variables (GTEST_PARALLEL_SQLITE_DATABASE)
// are also set with the alias appended, so that each of several databases
// of one backend is named (GTEST_PARALLEL_DATABASE_URL is not: that would
// be the variable of another alias).
void ExportEnvironment(const std::string& alias, const Backend& backend,
                       const std::string& name) {
  for (const auto& [variable, value] : backend.EnvironmentFor(name)) {
    SetOwnEnvironment(variable, value);
    if (variable.rfind("GTEST_PARALLEL_", 0) == 0 &&
        variable.rfind("GTEST_PARALLEL_DATABASE_", 0) != 0) {
      SetOwnEnvironment(variable + "_" + Upper(alias), value);
    }
  }
  SetOwnEnvironment(DatabaseVariable(alias), name);
}

// True for an in-memory SQLite database: no other process can open it.
bool InMemory(const Backend& backend) {
  return backend.url().scheme == "sqlite" &&
         backend.url().database == ":memory:";
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

std::string DatabaseUrlVariable(const std::string& alias) {
  return "GTEST_PARALLEL_DB_" + Upper(alias);
}

// One declared database of the run.
struct RunDatabases::Entry {
  explicit Entry(DatabaseDeclaration d) : declaration(std::move(d)) {}

  DatabaseDeclaration declaration;
  std::string url;       // Password included: never print.
  std::string redacted;  // Safe to print.
  std::shared_ptr<Backend> backend;
  int sequence = 0;                    // Tells this run's templates apart.
  std::string template_name;           // Empty until made or found.
  bool template_made = false;          // By this run: dropped with it.
  std::vector<std::string> databases;  // Per worker; serial: one.
  // keepdb: held from before the kept template is looked at to the end of
  // the run, so that concurrent runs take turns with it.
  std::unique_ptr<BackendLock> lock;
  bool set_up = false;
  bool torn_down = false;

  std::string Describe() const {
    return "database '" + declaration.alias + "' (" + redacted + ")";
  }
  std::string Base() const {
    return declaration.base_name.empty() ? "test_" + declaration.alias
                                         : declaration.base_name;
  }
};

std::vector<Property> EncodeAssignments(
    const std::vector<Assignment>& assignments) {
  std::vector<Property> properties;
  for (const Assignment& assignment : assignments) {
    properties.push_back(
        Property{assignment.alias, assignment.name + '\n' + assignment.url});
  }
  return properties;
}

std::vector<Assignment> DecodeAssignments(
    const std::vector<Property>& properties) {
  std::vector<Assignment> assignments;
  for (const Property& property : properties) {
    const size_t newline = property.value.find('\n');
    if (newline == std::string::npos) continue;
    assignments.push_back(Assignment{property.key,
                                     property.value.substr(newline + 1),
                                     property.value.substr(0, newline)});
  }
  return assignments;
}

std::string DatabaseVariable(const std::string& alias) {
  return "GTEST_PARALLEL_DATABASE_" + Upper(alias);
}

void SetDatabaseUrlOverrides(const std::map<std::string, std::string>& urls) {
  UrlOverrides() = urls;
}

namespace {

// A database this process attaches to, with the backend that holds it.
struct Attachment {
  std::string alias;
  std::string name;
  std::shared_ptr<Backend> backend;
};

// Attaches this process to each database, makes them what Database()
// returns and exports their variables.
bool AttachAll(const std::vector<Attachment>& attachments, std::string* error) {
  for (const Attachment& attachment : attachments) {
    const Status status = attachment.backend->Attach(attachment.name);
    if (!status.ok()) {
      *error = "cannot attach to database " + attachment.name + " ('" +
               attachment.alias + "'): " + status.ToString();
      return false;
    }
    DatabaseRegistry::Get().Install(attachment.alias, attachment.name,
                                    attachment.backend);
  }
  // In reverse, so that the first declared database's variables (PGHOST,
  // ...) win where two share them; in-memory databases first of all, so
  // that a file database, which programs a test starts can open, wins
  // GTEST_PARALLEL_SQLITE_DATABASE.
  std::vector<const Attachment*> order;
  for (size_t i = attachments.size(); i-- > 0;) {
    order.push_back(&attachments[i]);
  }
  std::stable_partition(order.begin(), order.end(), [](const Attachment* a) {
    return InMemory(*a->backend);
  });
  for (const Attachment* attachment : order) {
    ExportEnvironment(attachment->alias, *attachment->backend,
                      attachment->name);
  }
  return true;
}

}  // namespace

bool AttachDatabases(const std::vector<Assignment>& assignments,
                     std::string* error) {
  std::vector<Attachment> attachments;
  for (const Assignment& assignment : assignments) {
    Attachment attachment{assignment.alias, assignment.name, nullptr};
    if (!MakeBackend(assignment.alias, assignment.url, &attachment.backend,
                     error)) {
      return false;
    }
    attachments.push_back(std::move(attachment));
  }
  return AttachAll(attachments, error);
}

bool AttachFromEnvironment(const std::string& alias, std::string* error) {
  const char* name = std::getenv(DatabaseVariable(alias).c_str());
  if (name == nullptr || *name == '\0') return false;
  for (const DatabaseDeclaration& declaration :
       DatabaseRegistry::Get().Declarations()) {
    if (declaration.alias != alias) continue;
    std::string url, source;
    ResolveUrl(declaration, UrlOverrides(), &url, &source);
    Attachment attachment{alias, name, nullptr};
    return MakeBackend(alias, url, &attachment.backend, error) &&
           AttachAll({attachment}, error);
  }
  return false;
}

RunDatabases::RunDatabases(const Options& options) : options_(options) {}

RunDatabases::~RunDatabases() { TearDown(); }

bool RunDatabases::Declared() {
  return DatabaseRegistry::Get().HasDeclarations();
}

bool RunDatabases::Prepare(std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::set<std::string> aliases;
  for (const DatabaseDeclaration& declaration :
       DatabaseRegistry::Get().Declarations()) {
    if (!ValidAlias(declaration.alias)) {
      *error = "invalid database alias '" + declaration.alias +
               "': expected a letter, then letters, digits, '_' or '-' (at "
               "most 32)";
      return false;
    }
    if (!aliases.insert(Upper(declaration.alias)).second) {
      *error = "database alias '" + declaration.alias +
               "' is declared twice (aliases are compared ignoring case, "
               "'-' and '_' alike)";
      return false;
    }
    auto entry = std::make_unique<Entry>(declaration);
    entry->sequence = static_cast<int>(entries_.size());
    std::string source;
    ResolveUrl(declaration, options_.database_urls, &entry->url, &source);
    DatabaseUrl parsed;
    const Status status = ParseDatabaseUrl(entry->url, &parsed);
    if (!status.ok()) {
      *error = "database '" + declaration.alias + "': the URL from " + source +
               " is malformed: " + status.message();
      return false;
    }
    entry->redacted = parsed.Redacted();
    // A run's own template is private: sessions on it are strays of its
    // set-up and are ended. A kept one may be in use by someone else.
    BackendOptions backend_options;
    backend_options.terminate_template_sessions = !options_.keepdb;
    if (!MakeBackend(declaration.alias, entry->url, &entry->backend, error,
                     backend_options)) {
      return false;
    }
    entries_.push_back(std::move(entry));
  }
  for (const auto& [alias, url] : options_.database_urls) {
    if (aliases.count(Upper(alias)) == 0) {
      std::string declared;
      for (const auto& entry : entries_) {
        declared += (declared.empty() ? "" : ", ") + entry->declaration.alias;
      }
      *error = "--gtest_parallel_db names database '" + alias +
               "', which the program does not declare (declared: " +
               (declared.empty() ? "none" : declared) + ")";
      return false;
    }
  }
  return true;
}

bool RunDatabases::SetUp(int workers, const std::function<bool()>& interrupted,
                         std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto start = std::chrono::steady_clock::now();
  for (auto& entry : entries_) {
    if (interrupted() ||
        !SetUpEntry(entry.get(), workers, interrupted, error)) {
      if (error->empty()) *error = "interrupted while setting up databases";
      for (auto& made : entries_) DropEntry(made.get());
      return false;
    }
  }
  if (workers > 0) {
    std::string names;
    for (const auto& entry : entries_) {
      names += (names.empty() ? "" : ", ") + entry->declaration.alias + " (" +
               entry->backend->url().scheme + ")";
    }
    std::fprintf(stderr,
                 "[gtest_parallel] databases ready in %.2f s, %d per "
                 "database: %s\n",
                 SecondsSince(start), workers, names.c_str());
  }
  return true;
}

bool RunDatabases::SetUpEntry(Entry* entry, int workers,
                              const std::function<bool()>& interrupted,
                              std::string* error) {
  Backend& backend = *entry->backend;
  auto fail = [&](const std::string& what, const Status& status) {
    *error = entry->Describe() + ": " + what + status.ToString();
    return false;
  };
  // Every base name: the dead run may have been another program's.
  std::vector<std::string> swept;
  Status status = backend.SweepStale("", &swept);
  if (!status.ok()) return fail("", status);
  if (!swept.empty()) {
    std::string names;
    for (const std::string& name : swept) names += " " + name;
    std::fprintf(stderr,
                 "[gtest_parallel] dropped databases of runs that ended "
                 "without cleaning up:%s\n",
                 names.c_str());
  }
  if (interrupted()) return false;
  if (!(options_.keepdb
            ? ReuseKeptTemplate(entry, interrupted, error)
            : MakeTemplate(entry,
                           RunToken::ForThisProcess(entry->sequence).ToString(),
                           error))) {
    return false;
  }
  if (interrupted()) return false;
  // A serial run uses a clone too: its tests must not change a kept
  // template, and a death test's child attaches to it like a worker.
  std::vector<std::string> clones;
  status =
      backend.CloneAll(entry->template_name, std::max(workers, 1), &clones);
  if (!status.ok()) return fail("cannot clone the template: ", status);
  entry->databases = clones;
  for (const std::string& clone : clones) {
    if (interrupted()) return false;
    status = backend.Verify(clone);
    if (!status.ok()) return fail("clone " + clone + " is unusable: ", status);
  }
  entry->set_up = true;
  return true;
}

bool RunDatabases::MakeTemplate(Entry* entry, const std::string& token,
                                std::string* error) {
  Backend& backend = *entry->backend;
  Status status =
      backend.CreateTemplate(entry->Base(), token, &entry->template_name);
  if (!status.ok()) {
    *error = entry->Describe() +
             ": cannot create the template: " + status.ToString();
    return false;
  }
  entry->template_made = true;
  FillSpec fill;
  fill.sql_files = entry->declaration.sql_files;
  fill.callback = entry->declaration.setup;
  status = backend.FillTemplate(entry->template_name, fill);
  if (!status.ok()) {
    *error = entry->Describe() + ": the schema failed: " + status.ToString();
    return false;
  }
  return true;
}

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

bool RunDatabases::AttachHere(std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Attachment> attachments;
  for (const auto& entry : entries_) {
    if (entry->databases.empty()) continue;
    attachments.push_back(Attachment{entry->declaration.alias,
                                     entry->databases[0], entry->backend});
  }
  return AttachAll(attachments, error);
}

std::vector<Assignment> RunDatabases::For(int worker) const {
  std::vector<Assignment> assignments;
  for (const auto& entry : entries_) {
    const size_t index = static_cast<size_t>(std::max(worker, 1) - 1);
    if (index >= entry->databases.size()) continue;
    assignments.push_back(Assignment{entry->declaration.alias, entry->url,
                                     entry->databases[index]});
  }
  return assignments;
}

void RunDatabases::TearDown() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (size_t i = entries_.size(); i-- > 0;) {
    Entry* entry = entries_[i].get();
    if (entry->torn_down) continue;
    if (options_.keepdb && entry->set_up) {
      entry->torn_down = true;
      std::string names;
      for (const std::string& name : entry->databases) names += ", " + name;
      std::fprintf(stderr,
                   "[gtest_parallel] kept databases of '%s' "
                   "(--gtest_parallel_keepdb): template %s%s\n",
                   entry->declaration.alias.c_str(),
                   entry->template_name.c_str(), names.c_str());
      std::fflush(stderr);
      entry->lock.reset();
      continue;
    }
    DropEntry(entry);
  }
}

void RunDatabases::DropEntry(Entry* entry) {
  if (entry->torn_down) return;
  entry->torn_down = true;
  std::vector<std::string> names;
  for (const std::string& name : entry->databases) {
    if (name != entry->template_name) names.push_back(name);
  }
  if (entry->template_made) names.push_back(entry->template_name);
  for (const std::string& name : names) {
    const Status status = entry->backend->Drop(name);
    if (!status.ok()) {
      std::fprintf(stderr, "[gtest_parallel] %s: cannot drop %s: %s\n",
                   entry->Describe().c_str(), name.c_str(),
                   status.ToString().c_str());
    }
  }
  entry->lock.reset();
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
