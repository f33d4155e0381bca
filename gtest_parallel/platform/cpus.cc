// How many CPUs this process may use: affinity mask and cgroup CPU quotas.
#include "platform/cpus.h"

#include <algorithm>
#include <thread>

#if defined(__linux__)
#include <sched.h>

#include <fstream>
#include <limits>
#include <sstream>
#endif

namespace gtest_parallel {
namespace internal {

#if defined(__linux__)
namespace {

// `text` cut at each `separator`.
std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

// Parses a whole integer (surrounding white space allowed).
bool ParseInteger(const std::string& text, long long* value) {
  std::istringstream in(text);
  in >> *value;
  return !in.fail() && (in >> std::ws).eof();
}

// CPU time `quota` per `period` as a number of CPUs, rounded up; 0 for no
// limit.
int CpusFromQuota(long long quota, long long period) {
  if (quota <= 0 || period <= 0) return 0;
  const long long cpus = quota / period + (quota % period != 0 ? 1 : 0);
  return static_cast<int>(
      std::min<long long>(cpus, std::numeric_limits<int>::max()));
}

// A field of /proc/self/mountinfo with its octal escapes (\040 for a space)
// undone.
std::string Unescape(const std::string& field) {
  std::string text;
  for (size_t i = 0; i < field.size(); ++i) {
    const bool escape =
        field[i] == '\\' && i + 3 < field.size() &&
        std::all_of(field.begin() + i + 1, field.begin() + i + 4,
                    [](char c) { return c >= '0' && c <= '7'; });
    if (!escape) {
      text += field[i];
      continue;
    }
    text += static_cast<char>((field[i + 1] - '0') * 64 +
                              (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
    i += 3;
  }
  return text;
}

// This process's cgroup in the hierarchy of `version` (1: the one with the
// cpu controller, 2: the unified one), from /proc/self/cgroup's
// "ID:CONTROLLERS:PATH" lines.
bool FindCgroupPath(const std::string& self_cgroup, int version,
                    std::string* path) {
  std::istringstream in(self_cgroup);
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find(':');
    if (first == std::string::npos) continue;
    const size_t second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::vector<std::string> names = Split(controllers, ',');
    const bool match =
        version == 2
            ? line.substr(0, first) == "0" && controllers.empty()
            : std::find(names.begin(), names.end(), "cpu") != names.end();
    if (match) {
      *path = line.substr(second + 1);
      return true;
    }
  }
  return false;
}

// Where the hierarchy of `version` is mounted, and which of its cgroups is
// the mount's root, from /proc/self/mountinfo's lines ("ID PARENT DEV ROOT
// MOUNT_POINT OPTIONS [TAGS...] - TYPE SOURCE SUPER_OPTIONS").
bool FindCgroupMount(const std::string& mountinfo, int version,
                     std::string* root, std::string* mount_point) {
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = Split(line, ' ');
    if (fields.size() < 10) continue;
    const auto dash = std::find(fields.begin() + 6, fields.end(), "-");
    if (fields.end() - dash < 4) continue;
    const std::vector<std::string> options = Split(dash[3], ',');
    const bool match =
        version == 2
            ? dash[1] == "cgroup2"
            : dash[1] == "cgroup" && std::find(options.begin(), options.end(),
                                               "cpu") != options.end();
    if (match) {
      *root = Unescape(fields[3]);
      *mount_point = Unescape(fields[4]);
      return true;
    }
  }
  return false;
}

// Reads the file at `path` whole.
bool ReadFile(const std::string& path, std::string* contents) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *contents = text.str();
  return true;
}

}  // namespace

int CpusFromCpuMax(const std::string& cpu_max) {
  std::istringstream in(cpu_max);
  std::string quota_text;
  std::string period_text;
  in >> quota_text >> period_text;
  long long quota = 0;
  long long period = 100000;  // The kernel's default, when not given.
  if (!ParseInteger(quota_text, &quota) ||
      (!period_text.empty() && !ParseInteger(period_text, &period))) {
    return 0;  // "max", or not a limit we can read.
  }
  return CpusFromQuota(quota, period);
}

int CpusFromCfsQuota(const std::string& quota_us,
                     const std::string& period_us) {
  long long quota = 0;
  long long period = 0;
  if (!ParseInteger(quota_us, &quota) || !ParseInteger(period_us, &period)) {
    return 0;
  }
  return CpusFromQuota(quota, period);
}

std::vector<std::string> CpuCgroupDirectories(const std::string& self_cgroup,
                                              const std::string& mountinfo,
                                              int version) {
  std::string path;
  std::string root;
  std::string mount_point;
  if (!FindCgroupPath(self_cgroup, version, &path) ||
      !FindCgroupMount(mountinfo, version, &root, &mount_point)) {
    return {};
  }
  // The mount may show only part of the hierarchy (a container's): the path
  // is taken relative to the mount's root. A cgroup outside that part (in
  // another cgroup namespace) is seen through the mount point alone.
  std::string relative;
  if (root == "/") {
    relative = path;
  } else if (path == root || path.rfind(root + "/", 0) == 0) {
    relative = path.substr(root.size());
  }
  while (!relative.empty() && relative.back() == '/') relative.pop_back();
  std::vector<std::string> directories;
  while (true) {
    directories.push_back(mount_point + relative);
    if (relative.empty()) return directories;
    const size_t slash = relative.rfind('/');
    relative.erase(slash == std::string::npos ? 0 : slash);
  }
}

int CgroupCpuLimit(const FileReader& read) {
  std::string self_cgroup;
  std::string mountinfo;
  if (!read("/proc/self/cgroup", &self_cgroup) ||
      !read("/proc/self/mountinfo", &mountinfo)) {
    return 0;
  }
  int limit = 0;
  const auto tighten = [&limit](int cpus) {
    if (cpus > 0 && (limit == 0 || cpus < limit)) limit = cpus;
  };
  for (const std::string& directory :
       CpuCgroupDirectories(self_cgroup, mountinfo, 2)) {
    std::string cpu_max;
    if (read(directory + "/cpu.max", &cpu_max))
      tighten(CpusFromCpuMax(cpu_max));
  }
  for (const std::string& directory :
       CpuCgroupDirectories(self_cgroup, mountinfo, 1)) {
    std::string quota;
    std::string period;
    if (read(directory + "/cpu.cfs_quota_us", &quota) &&
        read(directory + "/cpu.cfs_period_us", &period)) {
      tighten(CpusFromCfsQuota(quota, period));
    }
  }
  return limit;
}
#endif  // defined(__linux__)

int AvailableCpus() {
  int count = 0;
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) count = CPU_COUNT(&set);
#endif
  if (count <= 0) {
    count = static_cast<int>(std::thread::hardware_concurrency());
  }
#if defined(__linux__)
  const int limit = CgroupCpuLimit(&ReadFile);
  if (limit > 0 && (count <= 0 || limit < count)) count = limit;
#endif
  return std::max(count, 1);
}

}  // namespace internal
}  // namespace gtest_parallel
