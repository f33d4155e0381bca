// Reading and writing the timing file (see history.h).
#include "coordinator/history.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <system_error>

#include "gtest_parallel/internal/util.h"
#include "platform/cache_directory.h"
#include "platform/process.h"

namespace gtest_parallel {
namespace internal {
std::string History::DefaultPath(const std::string& executable) {
  const std::string cache = CacheDirectory();
  if (cache.empty()) return "";
#ifdef _WIN32
  const char* const separators = "/\\:";
#else
  const char* const separators = "/";
#endif
  const std::string base =
      executable.substr(executable.find_last_of(separators) + 1);
  char hash[17];
  std::snprintf(hash, sizeof(hash), "%016llx",
                static_cast<unsigned long long>(Fnv1a64(executable)));
  return cache + "/" + base + "-" + hash + ".timings";
}

int History::ListedTestCount(const std::string& path) {
  if (path.empty()) return -1;
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) return -1;
  char line[64];
  const bool read = std::fgets(line, sizeof(line), in) != nullptr;
  std::fclose(in);
  // "#\t<fingerprint, 16 hex digits>\t<count>\n".
  if (!read || std::strncmp(line, "#\t", 2) != 0) return -1;
  const char* count = std::strchr(line + 2, '\t');
  if (count == nullptr) return -1;
  int value = -1;
  const char* end = line + std::strcspn(line, "\r\n");
  const auto parsed = std::from_chars(count + 1, end, value);
  return parsed.ec == std::errc() && parsed.ptr == end ? value : -1;
}

void History::Load(const std::string& path) {
  path_ = path;
  changed_ = true;
  entries_.clear();
  added_.clear();
  text_.clear();
  for (Entry& entry : by_id_) entry = Entry{-1, false};
  // One read and a hand-written split, the names left where they are: a
  // large suite's file is read before the first test can be handed out.
  if (!ReadTextFile(path, &text_).ok()) return;
  // "#\t<fingerprint, 16 hex digits>\t<count>", written by Save after Index.
  size_t body = 0;
  uint64_t header_fingerprint = 0;
  int header_count = -1;  // -1: no header.
  if (text_.compare(0, 2, "#\t") == 0) {
    const size_t line_end = text_.find('\n');
    const char* at = text_.data() + 2;
    const char* const end =
        text_.data() +
        (line_end == std::string::npos ? text_.size() : line_end);
    const auto fingerprint = std::from_chars(at, end, header_fingerprint, 16);
    int count = -1;
    if (fingerprint.ec == std::errc() && fingerprint.ptr < end &&
        *fingerprint.ptr == '\t' &&
        std::from_chars(fingerprint.ptr + 1, end, count).ptr == end) {
      header_count = count;
    }
    body = line_end == std::string::npos ? text_.size() : line_end + 1;
  }
  if (!by_id_.empty() && header_count == static_cast<int>(by_id_.size()) &&
      header_fingerprint == fingerprint_) {
    Parse(body, &by_id_);
    changed_ = false;  // Read as Save would write it.
  } else {
    Parse(body, nullptr);
    Bind();
  }
}

void History::Parse(size_t at_offset, std::vector<Entry>* by_id) {
  if (by_id == nullptr) {
    entries_.reserve(std::count(text_.begin() + at_offset, text_.end(), '\n') +
                     1);
  }
  const char* at = text_.data() + at_offset;
  const char* const end = text_.data() + text_.size();
  size_t position = 0;
  while (at < end) {
    const char* line_end =
        static_cast<const char*>(std::memchr(at, '\n', end - at));
    if (line_end == nullptr) line_end = end;
    const char* line = at;
    at = line_end + 1;
    // A file edited on Windows may end its lines with "\r\n".
    if (line_end > line && line_end[-1] == '\r') --line_end;
    const char* first_tab =
        static_cast<const char*>(std::memchr(line, '\t', line_end - line));
    const bool by_position = by_id != nullptr && position < by_id->size();
    const size_t index = position++;
    // "<ms>\t<0|1>\t<name>", the name not empty.
    if (first_tab == nullptr || line_end - first_tab < 4 ||
        first_tab[2] != '\t' || (first_tab[1] != '0' && first_tab[1] != '1')) {
      continue;
    }
    int64_t ms = 0;
    const auto parsed = std::from_chars(line, first_tab, ms);
    if (parsed.ec != std::errc() || parsed.ptr != first_tab || ms < 0) continue;
    const Entry entry{ms, first_tab[1] == '1'};
    if (by_position) {
      (*by_id)[index] = entry;
    } else {
      entries_[std::string_view(first_tab + 3, line_end - first_tab - 3)] =
          entry;
    }
  }
}

void History::Bind() {
  if (entries_.empty() || by_id_.empty()) return;
  std::string name;
  for (size_t test = 0; test < by_id_.size(); ++test) {
    name_of_(static_cast<int>(test), &name);
    auto found = entries_.find(name);
    if (found == entries_.end()) continue;
    by_id_[test] = found->second;
    entries_.erase(found);
  }
}

bool History::Save(std::string* error) const {
  if (path_.empty() || !changed_) return true;
  const size_t slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0 &&
      !MakeDirectories(path_.substr(0, slash), 0755)) {
    *error =
        "cannot create the directory of " + path_ + ": " + std::strerror(errno);
    return false;
  }
  const std::string temporary = path_ + ".tmp." + std::to_string(CurrentPid());
  std::string text;
  text.reserve((entries_.size() + by_id_.size()) * 48 + 40);
  const auto add = [&text](std::string_view name, const Entry& entry) {
    char ms[24];
    text.append(ms, std::to_chars(ms, ms + sizeof(ms), entry.ms).ptr);
    text += entry.failed ? "\t1\t" : "\t0\t";
    text.append(name.data(), name.size());
    text += '\n';
  };
  if (!by_id_.empty()) {
    // The numbered tests first, in order (ms -1: unknown), so that the
    // next run of the same list reads them by position.
    char header[48];
    std::snprintf(header, sizeof(header), "#\t%016llx\t%zu\n",
                  static_cast<unsigned long long>(fingerprint_), by_id_.size());
    text += header;
    std::string name;
    for (size_t test = 0; test < by_id_.size(); ++test) {
      name_of_(static_cast<int>(test), &name);
      add(name, by_id_[test]);
    }
  }
  for (const auto& [name, entry] : entries_) add(name, entry);
  // Binary: the same bytes on every system (no "\r\n" on Windows).
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  const bool written =
      out != nullptr &&
      std::fwrite(text.data(), 1, text.size(), out) == text.size();
  if (out == nullptr || std::fclose(out) != 0 || !written) {
    *error = "cannot write " + temporary;
    std::remove(temporary.c_str());
    return false;
  }
  // std::filesystem replaces an existing file on Windows too.
  std::error_code renamed;
  std::filesystem::rename(temporary, path_, renamed);
  if (renamed) {
    *error = "cannot replace " + path_ + ": " + renamed.message();
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

void History::Set(const std::string& test, Entry entry) {
  // Looked up first: the name is copied only for a test seen the first time.
  changed_ = true;
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

void History::Index(int count, uint64_t fingerprint,
                    std::function<void(int, std::string*)> name_of) {
  name_of_ = std::move(name_of);
  fingerprint_ = fingerprint;
  changed_ = true;
  by_id_.assign(count, Entry{-1, false});
  Bind();
}

const History::Entry* History::Find(int test) const {
  if (test < 0 || test >= static_cast<int>(by_id_.size())) return nullptr;
  return by_id_[test].ms >= 0 ? &by_id_[test] : nullptr;
}

void History::Set(int test, Entry entry) {
  if (test < 0 || test >= static_cast<int>(by_id_.size())) return;
  Entry& kept = by_id_[test];
  changed_ = changed_ || kept.ms != entry.ms || kept.failed != entry.failed;
  kept = entry;
}

bool History::empty() const {
  return entries_.empty() &&
         std::none_of(by_id_.begin(), by_id_.end(),
                      [](const Entry& entry) { return entry.ms >= 0; });
}

std::vector<std::string> History::FailedNames() const {
  std::vector<std::string> names;
  std::string name;
  for (size_t test = 0; test < by_id_.size(); ++test) {
    if (by_id_[test].ms < 0 || !by_id_[test].failed) continue;
    name_of_(static_cast<int>(test), &name);
    names.push_back(name);
  }
  for (const auto& [loaded, entry] : entries_) {
    if (entry.failed) names.emplace_back(loaded);
  }
  return names;
}

namespace {

// When `costs` go whole, the longest first each to the least loaded of
// `workers` (LPT): when the last worker ends.
double WholeMakespan(std::vector<double> costs, int workers) {
  std::sort(costs.begin(), costs.end(), std::greater<double>());
  std::vector<double> loads(static_cast<size_t>(workers), 0.0);
  for (double cost : costs) {
    *std::min_element(loads.begin(), loads.end()) += cost;
  }
  return *std::max_element(loads.begin(), loads.end());
}

// How many of the suites that may be split (`open`, costs sorted longest
// first) must be, the longest first, so that the others going whole (and
// the suites in `whole`) end no later than kSplitShare times a perfect
// balance: the split ones then fill in around them. 0 when whole suites
// are balanced enough; all of them when nothing else helps.
size_t SuitesToSplit(const std::vector<double>& open,
                     const std::vector<double>& whole, int workers) {
  double total = 0;
  for (double cost : open) total += cost;
  for (double cost : whole) total += cost;
  const double limit = kSplitShare * (total / workers);
  const auto balanced = [&](size_t split) {
    std::vector<double> rest = whole;
    rest.insert(rest.end(), open.begin() + split, open.end());
    return WholeMakespan(std::move(rest), workers) <= limit;
  };
  if (balanced(0)) return 0;
  // Splitting more leaves less to go whole: the fewest that suffice, by
  // bisection (a large program has thousands of suites).
  size_t low = 0, high = open.size();  // balanced(low) is false.
  while (high - low > 1) {
    const size_t middle = low + (high - low) / 2;
    (balanced(middle) ? high : low) = middle;
  }
  return high;
}

// Sets each suite's `splittable` following `split`; `keys` are (failed last
// time, cost) per suite, `order` their indexes failed first, then longest.
void MarkSplittable(const std::vector<std::pair<bool, double>>& keys,
                    const std::vector<size_t>& order, SplitPolicy split,
                    int workers, std::vector<Scheduler::Work>* suites) {
  if (split != SplitPolicy::kAuto) {
    for (Scheduler::Work& suite : *suites) {
      suite.splittable = split == SplitPolicy::kAlways;
    }
    return;
  }
  std::vector<double> open, whole;
  for (size_t i : order) {
    (keys[i].first ? whole : open).push_back(keys[i].second);
  }
  size_t to_split = SuitesToSplit(open, whole, workers);
  for (size_t i : order) {
    const bool splittable = !keys[i].first && to_split > 0;
    (*suites)[i].splittable = splittable;
    to_split -= splittable ? 1 : 0;
  }
}

}  // namespace

std::vector<Scheduler::Work> PlanFromHistory(
    const History& history, std::vector<Scheduler::Work> suites,
    SplitPolicy split, int workers) {
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
  std::vector<size_t> order(suites.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (keys[a].first != keys[b].first) return keys[a].first;
    return keys[a].second > keys[b].second;
  });
  MarkSplittable(keys, order, split, std::max(1, workers), &suites);
  if (history.empty()) {
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  }
  if (split == SplitPolicy::kAuto) {
    // The suites split only where whole ones would not balance come last:
    // the whole ones start first and the split ones fill in around them,
    // whatever their order (a split suite started early would leave a whole
    // one to start late).
    std::stable_partition(order.begin(), order.end(),
                          [&](size_t i) { return !suites[i].splittable; });
  }
  std::vector<Scheduler::Work> sorted;
  for (size_t i : order) sorted.push_back(std::move(suites[i]));
  return sorted;
}

}  // namespace internal
}  // namespace gtest_parallel
