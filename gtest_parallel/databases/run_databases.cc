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

#include "databases/database_entry.h"
#include "databases/database_registry.h"
#include "databases/reset.h"
#include "gtest_parallel/internal/util.h"
#include "platform/cache_directory.h"
#include "platform/process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

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

}  // namespace

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string DatabaseUrlVariable(const std::string& alias) {
  return "GTEST_PARALLEL_DB_" + Upper(alias);
}

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
  if (NeedsReset(entry->declaration, options_)) {
    status = backend.PrepareReset(entry->template_name);
    if (!status.ok()) {
      return fail("cannot prepare the template for resets: ", status);
    }
  }
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

}  // namespace internal
}  // namespace gtest_parallel
