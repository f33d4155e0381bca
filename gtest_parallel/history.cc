// Reading and writing the timing file (see history.h).
#include "history.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
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
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string ms, failed, name;
    if (!std::getline(fields, ms, '\t') ||
        !std::getline(fields, failed, '\t') || !std::getline(fields, name) ||
        name.empty()) {
      continue;
    }
    char* end = nullptr;
    const long long value = std::strtoll(ms.c_str(), &end, 10);
    if (*end != '\0' || value < 0 || (failed != "0" && failed != "1")) continue;
    entries_[name] = Entry{value, failed == "1"};
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
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const auto& [name, entry] : entries_) {
      out << entry.ms << '\t' << (entry.failed ? 1 : 0) << '\t' << name << '\n';
    }
    if (!out.flush()) {
      *error = "cannot write " + temporary;
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    *error = "cannot replace " + path_ + ": " + std::strerror(errno);
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

const History::Entry* History::Find(const std::string& test) const {
  auto found = entries_.find(test);
  return found == entries_.end() ? nullptr : &found->second;
}

std::vector<Scheduler::Work> PlanFromHistory(
    const History& history, std::vector<Scheduler::Work> suites,
    const std::function<std::string(int)>& name_of) {
  std::vector<std::pair<bool, double>> keys;  // (failed last time, cost).
  for (Scheduler::Work& suite : suites) {
    bool failed = false;
    double total = 0;
    suite.costs.clear();
    for (int test : suite.tests) {
      const History::Entry* entry = history.Find(name_of(test));
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
