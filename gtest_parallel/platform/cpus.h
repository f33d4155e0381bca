// How many CPUs this process may use: affinity mask and cgroup CPU quotas.
#ifndef GTEST_PARALLEL_CPUS_H_
#define GTEST_PARALLEL_CPUS_H_

#include <functional>
#include <string>
#include <vector>

namespace gtest_parallel {
namespace internal {

// The number of CPUs this process may run on: those of its affinity mask,
// or fewer when a cgroup limits its CPU time (Linux). At least 1.
int AvailableCpus();

#if defined(__linux__)
// The CPUs that cgroup v2's cpu.max ("150000 100000": 1.5 CPUs) allows,
// rounded up; 0 for no limit ("max 100000") or unreadable contents.
int CpusFromCpuMax(const std::string& cpu_max);

// The same for cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us; a quota
// of -1 is no limit.
int CpusFromCfsQuota(const std::string& quota_us, const std::string& period_us);

// The directories whose CPU limits apply to this process, its own cgroup's
// first, then its ancestors' up to the hierarchy's mount point; `version` 1
// for the cgroup v1 hierarchy of the cpu controller, 2 for the unified one.
// From the contents of /proc/self/cgroup and /proc/self/mountinfo; empty
// when the process is in no such cgroup or the hierarchy is not mounted.
std::vector<std::string> CpuCgroupDirectories(const std::string& self_cgroup,
                                              const std::string& mountinfo,
                                              int version);

// Reads a file's contents; false when it cannot be read.
using FileReader =
    std::function<bool(const std::string& path, std::string* contents)>;

// The number of CPUs this process's cgroups allow, the tightest limit of v1
// and v2 and of every ancestor cgroup; 0 for none. Files are read with
// `read` (/proc/self/cgroup, /proc/self/mountinfo, then the limits).
int CgroupCpuLimit(const FileReader& read);
#endif

}  // namespace internal
}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_CPUS_H_
