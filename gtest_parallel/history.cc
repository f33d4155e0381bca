// Reading and writing the timing file (see history.h).
#include "history.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "cache_directory.h"
#include "gtest_parallel/internal/sql_script.h"

namespace gtest_parallel {
namespace internal {
std::string History::DefaultPath(const std::string& executable) {
  const std::string cache = CacheDirectory();
  if (cache.empty()) return "";
  const std::string base = executable.substr(executable.rfind('/') + 1);
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx",
                static_cast<unsigned long long>(Fnv1a64(executable)));
  return cache + "/" + base + "-" + hash + ".timings";
}

void History::Load(const std::string& path) {
  path_ = path;
  entries_.clear();
  added_.clear();
  text_.clear();
  // One read and a hand-written split, the names left where they are: a
  // large suite's file is read before the first test can be handed out.
  if (!ReadTextFile(path, &text_).ok()) return;
  entries_.reserve(std::count(text_.begin(), text_.end(), '\n') + 1);
  const char* at = text_.data();
  const char* const end = at + text_.size();
  while (at < end) {
    const char* line_end =
        static_cast<const char*>(std::memchr(at, '\n', end - at));
    if (line_end == nullptr) line_end = end;
    const char* first_tab =
        static_cast<const char*>(std::memchr(at, '\t', line_end - at));
    const char* line = at;
    at = line_end + 1;
    // "<ms>\t<0|1>\t<name>", the name not empty.
    if (first_tab == nullptr || line_end - first_tab < 4 ||
        first_tab[2] != '\t' || (first_tab[1] != '0' && first_tab[1] != '1')) {
      continue;
    }
    int64_t ms = 0;
    const auto parsed = std::from_chars(line, first_tab, ms);
    if (parsed.ec != std::errc() || parsed.ptr != first_tab || ms < 0) continue;
    entries_[std::string_view(first_tab + 3, line_end - first_tab - 3)] =
        Entry{ms, first_tab[1] == '1'};
  }
}

bool History::Save(std::string* error) const {
  if (path_.empty()) return true;
  const size_t slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0 &&
      !MakeDirectories(path_.substr(0, slash), 0755)) {
    *error =
        "cannot create the directory of " + path_ + ": " + std::strerror(errno);
    return false;
  }
  const std::string temporary = path_ + ".tmp." + std::to_string(getpid());
  std::string text;
  text.reserve((entries_.size() + fresh_.size()) * 48);
  const auto add = [&text](std::string_view name, const Entry& entry) {
    char ms[24];
    text.append(ms, std::to_chars(ms, ms + sizeof(ms), entry.ms).ptr);
    text += entry.failed ? "\t1\t" : "\t0\t";
    text.append(name.data(), name.size());
    text += '\n';
  };
  for (const auto& [name, entry] : entries_) add(name, entry);
  std::string name;
  for (size_t test = 0; test < fresh_.size(); ++test) {
    if (!has_fresh_[test]) continue;
    name_of_(static_cast<int>(test), &name);
    add(name, fresh_[test]);
  }
  std::FILE* out = std::fopen(temporary.c_str(), "w");
  const bool written =
      out != nullptr &&
      std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (out == nullptr || std::fclose(out) != 0 || !written) {
    *error = "cannot write " + temporary;
    std::remove(temporary.c_str());
    return false;
  }
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    *error = "cannot replace " + path_ + ": " + std::strerror(errno);
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

void History::Set(const std::string& test, Entry entry) {
  // Looked up first: the name is copied only for a test seen the first time.
  auto found = entries_.find(test);
  if (found != entries_.end()) {
    found->second = entry;
  } else {
    added_.push_back(test);
    entries_.emplace(added_.back(), entry);
  }
}

const History::Entry* History::Find(const std::string& test) const {
  auto found = entries_.find(test);
  return found == entries_.end() ? nullptr : &found->second;
}

void History::Index(int count,
                    std::function<void(int, std::string*)> name_of) {
  name_of_ = std::move(name_of);
  known_.assign(count, nullptr);
  fresh_.assign(count, Entry{});
  has_fresh_.assign(count, false);
  if (entries_.empty()) return;
  std::string name;
  for (int test = 0; test < count; ++test) {
    name_of_(test, &name);
    auto found = entries_.find(name);
    if (found != entries_.end()) known_[test] = &found->second;
  }
}

const History::Entry* History::Find(int test) const {
  if (test < 0 || test >= static_cast<int>(known_.size())) return nullptr;
  return known_[test];
}

void History::Set(int test, Entry entry) {
  if (test < 0 || test >= static_cast<int>(known_.size())) return;
  if (known_[test] != nullptr) {
    *known_[test] = entry;
  } else {
    fresh_[test] = entry;
    has_fresh_[test] = true;
  }
}

std::vector<Scheduler::Work> PlanFromHistory(
    const History& history, std::vector<Scheduler::Work> suites) {
  std::vector<std::pair<bool, double>> keys;  // (failed last time, cost).
  for (Scheduler::Work& suite : suites) {
    bool failed = false;
    double total = 0;
    suite.costs.clear();
    for (int test : suite.tests) {
      const History::Entry* entry = history.Find(test);
      // Unknown tests are taken for quick ones; known ones cost at least a
      // millisecond, so that none is free.
      const double cost = entry ? std::max<double>(1, entry->ms) : 1;
      failed = failed || (entry && entry->failed);
      suite.costs.push_back(cost);
      total += cost;
    }
    keys.emplace_back(failed, total);
  }
  if (history.empty()) return suites;
  std::vector<size_t> order(suites.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (keys[a].first != keys[b].first) return keys[a].first;
    return keys[a].second > keys[b].second;
  });
  std::vector<Scheduler::Work> sorted;
  for (size_t i : order) sorted.push_back(std::move(suites[i]));
  return sorted;
}

}  // namespace internal
}  // namespace gtest_parallel
