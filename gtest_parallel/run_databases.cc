// The life of a run's databases (see run_databases.h).
#include "run_databases.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "cache_directory.h"
#include "child_process.h"
#include "database_registry.h"
#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel {
namespace internal {
namespace {

// Kept templates (--gtest_parallel_keepdb) are named after the schema
// hash instead of a run token: "k" and this many base-36 digits.
constexpr size_t kKeptHashDigits = 12;
constexpr char kKeptPrefix = 'k';

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
void ExportEnvironment(const std::string& alias, const Backend& backend,
                       const std::string& name) {
  for (const auto& [variable, value] : backend.EnvironmentFor(name)) {
    SetOwnEnvironment(variable, value);
  }
  SetOwnEnvironment(DatabaseVariable(alias), name);
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
  // ...) win where two share them.
  for (size_t i = attachments.size(); i-- > 0;) {
    ExportEnvironment(attachments[i].alias, *attachments[i].backend,
                      attachments[i].name);
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
            ? ReuseKeptTemplate(entry, error)
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

}  // namespace

bool RunDatabases::ReuseKeptTemplate(Entry* entry, std::string* error) {
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
  std::vector<std::string> names;
  Status status = backend.ListDatabases(&names);
  if (!status.ok()) {
    *error = entry->Describe() + ": " + status.ToString();
    return false;
  }
  bool exists = false;
  for (const std::string& other : names) {
    std::string kept_template;
    if (other == name) {
      exists = true;
    } else if (IsKept(other, base, &kept_template)) {
      // Last run's clones, and databases of a schema that changed since.
      status = backend.Drop(other);
      if (!status.ok()) {
        *error = entry->Describe() + ": cannot drop kept database " + other +
                 ": " + status.ToString();
        return false;
      }
      if (kept_template != name && kept_template == other) {
        std::remove(KeptMarker(entry->redacted, other).c_str());
        std::fprintf(stderr,
                     "[gtest_parallel] dropped kept database %s: the schema "
                     "of '%s' changed\n",
                     other.c_str(), entry->declaration.alias.c_str());
      }
    }
  }
  if (exists && MarkerSays(marker, name)) {
    entry->template_name = name;
    std::fprintf(stderr,
                 "[gtest_parallel] reusing kept template %s of '%s' (schema "
                 "unchanged)\n",
                 name.c_str(), entry->declaration.alias.c_str());
    return true;
  }
  if (exists) {
    status = backend.Drop(name);
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
}

}  // namespace internal
}  // namespace gtest_parallel
