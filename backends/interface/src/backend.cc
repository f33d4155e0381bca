// The parts of the backend interface every backend shares: database names,
// the default CloneAll/Attach/SweepStale/Reset, and the registry of
// backends.
#include "gtest_parallel/backend.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel {
namespace {

// Six base-36 digits of hash are appended to cut base names.
constexpr size_t kBaseHashDigits = 6;
// Workers are numbered with at most this many digits.
constexpr size_t kMaxWorkerDigits = 4;

struct Registry {
  std::mutex mutex;
  std::map<std::string, BackendFactory> factories;
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

std::string ToLower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(c));
  return text;
}

}  // namespace

Status Connection::QueryValue(const std::string& sql, std::string* value) {
  std::vector<Row> rows;
  Status status = Query(sql, &rows);
  value->clear();
  if (status.ok() && !rows.empty() && !rows[0].empty()) *value = rows[0][0];
  return status;
}

Backend::Backend(DatabaseUrl url, BackendOptions options)
    : url_(std::move(url)), options_(options) {}

Status Backend::Error(ErrorCode code, const std::string& message) const {
  if (url_.password.empty()) return Status(code, message);
  // The password as typed and as it appears percent-encoded in a URL
  // ("x://u:<encoded>@/").
  DatabaseUrl encoded;
  encoded.scheme = "x";
  encoded.user = "u";
  encoded.password = url_.password;
  const std::string url = encoded.ToString();
  const size_t colon = url.find(':', 4);
  const size_t at = url.rfind('@');
  const std::string escaped = url.substr(colon + 1, at - colon - 1);
  return Status(code,
                internal::ScrubPassword(message, {url_.password, escaped}));
}

Status Backend::CheckRunToken(const std::string& run_token) const {
  if (IsValidRunToken(run_token)) return Status();
  return Error(ErrorCode::kInvalidArgument,
               "invalid run token '" + run_token + "'");
}

Status Backend::CloneAll(const std::string& template_name, int workers,
                         std::vector<std::string>* clone_names) {
  clone_names->clear();
  for (int worker = 1; worker <= workers; ++worker) {
    std::string clone_name;
    Status status = Clone(template_name, worker, &clone_name);
    if (!status.ok()) {
      for (const std::string& name : *clone_names) Drop(name);
      clone_names->clear();
      return status;
    }
    clone_names->push_back(clone_name);
  }
  return Status();
}

Status Backend::Attach(const std::string& /*clone_name*/) { return Status(); }

Status Backend::PrepareReset(const std::string& /*template_name*/) {
  return Status();
}

Status Backend::Reset(const std::string& clone_name, ResetStats* stats) {
  if (stats != nullptr) *stats = ResetStats();
  Status status = Restore(clone_name);
  if (status.ok() && stats != nullptr) {
    stats->changed = true;
    stats->restored = true;
  }
  return status;
}

Status Backend::Differences(const std::string& clone_name,
                            std::vector<TableDifference>* differences) {
  differences->clear();
  return Error(ErrorCode::kUnimplemented,
               "the " + url().scheme + " backend cannot list what clone " +
                   clone_name + " holds differently from its template");
}

Status Backend::TryLock(const std::string& /*name*/,
                        std::unique_ptr<BackendLock>* lock) {
  *lock = std::make_unique<BackendLock>();
  return Status();
}

Status Backend::SweepStale(const std::string& base_name,
                           std::vector<std::string>* dropped) {
  std::vector<std::string> names;
  Status status = ListDatabases(&names);
  if (!status.ok()) return status;
  std::string base = base_name.empty() ? "" : SanitizeBaseName(base_name);
  // Clones first, so that a template outlives its clones.
  std::vector<std::string> clones, templates;
  for (const std::string& name : names) {
    ManagedName managed;
    if (!ParseManagedName(name, &managed)) continue;
    if (!base.empty() && managed.base != base) continue;
    if (managed.token.OwnerState() != RunToken::Owner::kDead) continue;
    (managed.worker > 0 ? clones : templates).push_back(name);
  }
  clones.insert(clones.end(), templates.begin(), templates.end());
  Status first_error;
  for (const std::string& name : clones) {
    Status drop = Drop(name);
    if (!drop.ok()) {
      if (first_error.ok()) first_error = drop;
      continue;
    }
    if (dropped != nullptr) dropped->push_back(name);
  }
  return first_error;
}

std::string SanitizeBaseName(const std::string& base_name) {
  std::string out;
  for (char c : base_name) {
    unsigned char u = static_cast<unsigned char>(std::tolower(c));
    out +=
        (std::isalnum(u) && u < 128) || u == '_' ? static_cast<char>(u) : '_';
  }
  if (out.empty() || !std::islower(static_cast<unsigned char>(out[0]))) {
    out = "db_" + out;
  }
  if (out.size() > kMaxBaseNameLength) {
    std::string hash =
        internal::ToBase36(internal::Fnv1a64(out), kBaseHashDigits)
            .substr(0, kBaseHashDigits);
    out = out.substr(0, kMaxBaseNameLength - kBaseHashDigits - 1) + "_" + hash;
  }
  return out;
}

bool IsValidRunToken(const std::string& run_token) {
  if (run_token.empty() || run_token.size() > RunToken::kLength) return false;
  if (!std::islower(static_cast<unsigned char>(run_token[0]))) return false;
  return std::all_of(run_token.begin(), run_token.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  });
}

std::string TemplateName(const std::string& base_name,
                         const std::string& run_token) {
  return SanitizeBaseName(base_name) + "_" + run_token;
}

std::string CloneName(const std::string& template_name, int worker) {
  return template_name + "_" + std::to_string(worker);
}

bool SplitCloneName(const std::string& name, std::string* template_name,
                    int* worker) {
  size_t underscore = name.rfind('_');
  if (underscore == std::string::npos || underscore == 0) return false;
  std::string digits = name.substr(underscore + 1);
  if (digits.empty() || digits.size() > kMaxWorkerDigits || digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  *template_name = name.substr(0, underscore);
  *worker = std::stoi(digits);
  return true;
}

bool ParseManagedName(const std::string& name, ManagedName* parsed) {
  std::string template_name = name;
  int worker = 0;
  std::string split_template;
  int split_worker;
  if (SplitCloneName(name, &split_template, &split_worker)) {
    template_name = split_template;
    worker = split_worker;
  }
  if (template_name.size() < RunToken::kLength + 2) return false;
  size_t underscore = template_name.size() - RunToken::kLength - 1;
  if (template_name[underscore] != '_') return false;
  RunToken token;
  if (!RunToken::Parse(template_name.substr(underscore + 1), &token)) {
    return false;
  }
  parsed->base = template_name.substr(0, underscore);
  parsed->template_name = template_name;
  parsed->token = token;
  parsed->worker = worker;
  return true;
}

bool RegisterBackend(const std::string& scheme, BackendFactory factory) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  return registry.factories.emplace(ToLower(scheme), std::move(factory)).second;
}

std::vector<std::string> RegisteredBackends() {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  std::vector<std::string> schemes;
  for (const auto& entry : registry.factories) schemes.push_back(entry.first);
  return schemes;
}

Status CreateBackend(const DatabaseUrl& url, const BackendOptions& options,
                     std::unique_ptr<Backend>* backend) {
  BackendFactory factory;
  {
    Registry& registry = GetRegistry();
    std::lock_guard<std::mutex> lock(registry.mutex);
    auto found = registry.factories.find(url.scheme);
    if (found != registry.factories.end()) factory = found->second;
  }
  if (!factory) {
    std::vector<std::string> schemes = RegisteredBackends();
    return Status(
        ErrorCode::kNotFound,
        "no backend for '" + url.scheme + ":' URLs in this program (" +
            (schemes.empty()
                 ? "none registered"
                 : "registered: " + internal::JoinStrings(schemes, ", ")) +
            "); link gtest_parallel::" + url.scheme +
            " or register one with gtest_parallel::RegisterBackend()");
  }
  BackendOptions effective = options;
  auto timeout = url.params.find("connect_timeout");
  if (timeout != url.params.end()) {
    int seconds = std::atoi(timeout->second.c_str());
    if (seconds > 0) effective.connect_timeout_seconds = seconds;
  }
  return factory(url, effective, backend);
}

Status CreateBackend(const std::string& url, const BackendOptions& options,
                     std::unique_ptr<Backend>* backend) {
  DatabaseUrl parsed;
  Status status = ParseDatabaseUrl(url, &parsed);
  if (!status.ok()) return status;
  return CreateBackend(parsed, options, backend);
}

}  // namespace gtest_parallel
