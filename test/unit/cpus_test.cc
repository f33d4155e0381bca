// Unit tests for the count of the CPUs this process may use (cpus.h).
#include "platform/cpus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sched.h>

#include <fstream>
#include <sstream>
#endif

namespace gtest_parallel {
namespace internal {
namespace {

TEST(AvailableCpusTest, AtLeastOne) { EXPECT_GE(AvailableCpus(), 1); }

#if defined(__linux__)
// Reads a real file, as AvailableCpus() does.
bool ReadRealFile(const std::string& path, std::string* contents) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *contents = text.str();
  return true;
}

TEST(AvailableCpusTest, FollowsTheAffinityMaskAndTheCgroupLimit) {
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof(saved), &saved), 0);
  const int limit = CgroupCpuLimit(&ReadRealFile);
  EXPECT_EQ(AvailableCpus(),
            limit > 0 ? std::min(limit, CPU_COUNT(&saved)) : CPU_COUNT(&saved));

  // Restricted to one CPU, the process may use only that one.
  int first = 0;
  while (!CPU_ISSET(first, &saved)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  const int restricted = AvailableCpus();
  ASSERT_EQ(sched_setaffinity(0, sizeof(saved), &saved), 0);
  EXPECT_EQ(restricted, 1);
}

TEST(CgroupTest, CpusFromCpuMax) {
  EXPECT_EQ(CpusFromCpuMax("max 100000\n"), 0);
  EXPECT_EQ(CpusFromCpuMax("100000 100000\n"), 1);
  EXPECT_EQ(CpusFromCpuMax("50000 100000\n"), 1);
  EXPECT_EQ(CpusFromCpuMax("150000 100000\n"), 2);
  EXPECT_EQ(CpusFromCpuMax("400000 100000"), 4);
  EXPECT_EQ(CpusFromCpuMax("250000 50000\n"), 5);
  EXPECT_EQ(CpusFromCpuMax("300000\n"), 3);  // The default period.
  EXPECT_EQ(CpusFromCpuMax(""), 0);
  EXPECT_EQ(CpusFromCpuMax("garbage 100000"), 0);
  EXPECT_EQ(CpusFromCpuMax("100000 0"), 0);
  EXPECT_EQ(CpusFromCpuMax("0 100000"), 0);
}

TEST(CgroupTest, CpusFromCfsQuota) {
  EXPECT_EQ(CpusFromCfsQuota("-1\n", "100000\n"), 0);
  EXPECT_EQ(CpusFromCfsQuota("100000\n", "100000\n"), 1);
  EXPECT_EQ(CpusFromCfsQuota("150000\n", "100000\n"), 2);
  EXPECT_EQ(CpusFromCfsQuota("20000", "100000"), 1);
  EXPECT_EQ(CpusFromCfsQuota("800000", "100000"), 8);
  EXPECT_EQ(CpusFromCfsQuota("", "100000"), 0);
  EXPECT_EQ(CpusFromCfsQuota("100000", "x"), 0);
  EXPECT_EQ(CpusFromCfsQuota("100000", "0"), 0);
}

constexpr char kUnifiedMountinfo[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

constexpr char kHybridMountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup "
    "rw,cpuset\n"
    "35 31 0:32 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup "
    "cgroup rw,cpu,cpuacct\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

TEST(CgroupTest, UnifiedHierarchyDirectoriesUpToTheMountPoint) {
  const std::string self = "0::/user.slice/user-1000.slice/session-3.scope\n";
  EXPECT_EQ(CpuCgroupDirectories(self, kUnifiedMountinfo, 2),
            (std::vector<std::string>{
                "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope",
                "/sys/fs/cgroup/user.slice/user-1000.slice",
                "/sys/fs/cgroup/user.slice", "/sys/fs/cgroup"}));
  EXPECT_EQ(CpuCgroupDirectories(self, kUnifiedMountinfo, 1),
            std::vector<std::string>{});
  // In a cgroup namespace (a container) the process's cgroup is the root.
  EXPECT_EQ(CpuCgroupDirectories("0::/\n", kUnifiedMountinfo, 2),
            std::vector<std::string>{"/sys/fs/cgroup"});
}

TEST(CgroupTest, CpuControllerDirectoriesRelativeToTheMountsRoot) {
  const std::string self =
      "3:cpuset:/docker/abc\n"
      "2:cpu,cpuacct:/docker/abc/inner\n"
      "0::/docker/abc\n";
  EXPECT_EQ(CpuCgroupDirectories(self, kHybridMountinfo, 1),
            (std::vector<std::string>{"/sys/fs/cgroup/cpu,cpuacct/inner",
                                      "/sys/fs/cgroup/cpu,cpuacct"}));
  EXPECT_EQ(CpuCgroupDirectories(self, kHybridMountinfo, 2),
            (std::vector<std::string>{"/sys/fs/cgroup/unified/docker/abc",
                                      "/sys/fs/cgroup/unified/docker",
                                      "/sys/fs/cgroup/unified"}));
  // Outside the mount's part of the hierarchy: only the mount point.
  EXPECT_EQ(CpuCgroupDirectories("2:cpu,cpuacct:/other\n", kHybridMountinfo, 1),
            std::vector<std::string>{"/sys/fs/cgroup/cpu,cpuacct"});
}

TEST(CgroupTest, NoDirectoriesWithoutTheControllerOrItsMount) {
  // "cpuset" is not "cpu".
  EXPECT_EQ(CpuCgroupDirectories("3:cpuset:/a\n", kHybridMountinfo, 1),
            std::vector<std::string>{});
  EXPECT_EQ(CpuCgroupDirectories("2:cpu:/a\n", kUnifiedMountinfo, 1),
            std::vector<std::string>{});
  EXPECT_EQ(CpuCgroupDirectories("", kUnifiedMountinfo, 2),
            std::vector<std::string>{});
  EXPECT_EQ(CpuCgroupDirectories("0::/a\n", "", 2), std::vector<std::string>{});
}

TEST(CgroupTest, EscapedMountPoint) {
  const std::string mountinfo =
      "35 24 0:30 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(CpuCgroupDirectories("0::/a\n", mountinfo, 2),
            (std::vector<std::string>{"/mnt/my cgroup/a", "/mnt/my cgroup"}));
}

// A file system of a few files, for CgroupCpuLimit().
FileReader Files(std::map<std::string, std::string> files) {
  return [files](const std::string& path, std::string* contents) {
    const auto found = files.find(path);
    if (found == files.end()) return false;
    *contents = found->second;
    return true;
  };
}

TEST(CgroupTest, LimitIsTheTightestOfTheCgroupAndItsAncestors) {
  EXPECT_EQ(CgroupCpuLimit(Files({
                {"/proc/self/cgroup", "0::/a/b\n"},
                {"/proc/self/mountinfo", kUnifiedMountinfo},
                {"/sys/fs/cgroup/a/b/cpu.max", "max 100000\n"},
                {"/sys/fs/cgroup/a/cpu.max", "250000 100000\n"},
            })),
            3);
  EXPECT_EQ(CgroupCpuLimit(Files({
                {"/proc/self/cgroup", "0::/a/b\n"},
                {"/proc/self/mountinfo", kUnifiedMountinfo},
                {"/sys/fs/cgroup/a/b/cpu.max", "100000 100000\n"},
                {"/sys/fs/cgroup/a/cpu.max", "250000 100000\n"},
            })),
            1);
}

TEST(CgroupTest, LimitOfEitherVersion) {
  const std::string self = "2:cpu,cpuacct:/docker/abc\n0::/docker/abc\n";
  EXPECT_EQ(CgroupCpuLimit(Files({
                {"/proc/self/cgroup", self},
                {"/proc/self/mountinfo", kHybridMountinfo},
                {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n"},
                {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n"},
            })),
            2);
  EXPECT_EQ(CgroupCpuLimit(Files({
                {"/proc/self/cgroup", self},
                {"/proc/self/mountinfo", kHybridMountinfo},
                {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n"},
                {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n"},
                {"/sys/fs/cgroup/unified/docker/abc/cpu.max", "700000 100000"},
            })),
            7);
}

TEST(CgroupTest, NoLimit) {
  EXPECT_EQ(CgroupCpuLimit(Files({})), 0);
  EXPECT_EQ(CgroupCpuLimit(Files({
                {"/proc/self/cgroup", "0::/a\n"},
                {"/proc/self/mountinfo", kUnifiedMountinfo},
                {"/sys/fs/cgroup/a/cpu.max", "max 100000\n"},
            })),
            0);
  EXPECT_EQ(CgroupCpuLimit(Files({
                {"/proc/self/cgroup", "0::/a\n"},
                {"/proc/self/mountinfo", kUnifiedMountinfo},
            })),
            0);
}
#endif

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
