// Unit tests of what running a failed test alone says about it (alone.h)
// and of the per-worker scratch directories (scratch.h).
#include "coordinator/alone.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "coordinator/scratch.h"

namespace gtest_parallel {
namespace internal {
namespace {

std::string NameOf(int test) { return "S.T" + std::to_string(test); }

TEST(PassesAloneNoteTest, NamesTheTestsOtherWorkersRanAtTheSameTime) {
  const Span failed{1, 0, 1000, 1100};
  const std::vector<Span> spans = {
      failed,
      {2, 1, 900, 1000},   // Ends as it starts: beside it.
      {2, 2, 1000, 1200},  // Beside it.
      {3, 3, 1101, 1300},  // After it.
      {3, 4, 500, 999},    // Before it.
      {1, 5, 800, 1000},   // Its own worker, before it.
  };
  EXPECT_EQ(PassesAloneNote(spans, failed, NameOf),
            "shares state with tests run beside it (worker 2 ran S.T1, S.T2 "
            "at the same time)");
}

TEST(PassesAloneNoteTest, ListsWorkersInOrderAndCutsLongLists) {
  const Span failed{2, 0, 0, 100};
  std::vector<Span> spans = {failed};
  for (int i = 1; i <= 7; ++i) spans.push_back({3, i, 10 * i, 10 * i + 5});
  spans.push_back({1, 8, 50, 60});
  EXPECT_EQ(PassesAloneNote(spans, failed, NameOf),
            "shares state with tests run beside it (worker 1 ran S.T8; worker "
            "3 ran S.T1, S.T2, S.T3, S.T4, S.T5 and 2 more at the same time)");
}

TEST(PassesAloneNoteTest, WithNothingBesideItNamesWhatRanBeforeIt) {
  const Span failed{1, 0, 1000, 1100};
  const std::vector<Span> spans = {
      {1, 1, 100, 200}, {1, 2, 300, 400}, failed, {2, 3, 1200, 1300}};
  EXPECT_EQ(PassesAloneNote(spans, failed, NameOf),
            "depends on state left by tests run before it (worker 1 ran S.T2, "
            "S.T1 before it, latest first)");
  EXPECT_EQ(PassesAloneNote({failed}, failed, NameOf),
            "depends on something outside it");
}

TEST(AloneTimeLimitTest, FollowsTheTimeoutOrTheTestsDuration) {
  Options options;
  EXPECT_EQ(AloneTimeLimitSeconds(options, 1000), 30);
  EXPECT_EQ(AloneTimeLimitSeconds(options, 30000), 300);
  options.timeout_seconds = 2;
  EXPECT_EQ(AloneTimeLimitSeconds(options, 30000), 7);
}

TEST(ScratchSpaceTest, WorkersGetTheirOwnDirectoriesOfLinks) {
#if defined(_WIN32)
  GTEST_SKIP() << "no private working directories on Windows (links need a "
                  "privilege)";
#endif
  namespace fs = std::filesystem;
  ScratchSpace& space = ScratchSpace::Get();
  WorkerScratch one, two, again;
  std::string error;
  ASSERT_TRUE(space.ForWorker(101, true, &one, &error)) << error;
  ASSERT_TRUE(space.ForWorker(102, true, &two, &error)) << error;
  ASSERT_TRUE(space.ForWorker(101, true, &again, &error)) << error;
  EXPECT_EQ(one.tmp, again.tmp);
  EXPECT_EQ(one.cwd, again.cwd);
  EXPECT_NE(one.tmp, two.tmp);
  EXPECT_NE(one.cwd, two.cwd);
  EXPECT_TRUE(fs::is_directory(one.tmp));
  // Every entry of the working directory is there as a link, "." and ".."
  // resolve as they do here.
  const fs::path here = fs::current_path();
  EXPECT_EQ(fs::path(one.cwd).filename(), here.filename());
  for (const auto& entry : fs::directory_iterator(here)) {
    const fs::path link = fs::path(one.cwd) / entry.path().filename();
    EXPECT_TRUE(fs::is_symlink(link)) << link;
    EXPECT_TRUE(fs::equivalent(link, entry.path())) << link;
  }
  // A file made in one is not in the other.
  std::ofstream(fs::path(one.cwd) / "made_by_one") << "x";
  EXPECT_FALSE(fs::exists(fs::path(two.cwd) / "made_by_one"));
  EXPECT_FALSE(fs::exists(here / "made_by_one"));
  const auto variables = ScratchSpace::Environment(one);
  EXPECT_NE(
      std::find(variables.begin(), variables.end(), "TEST_TMPDIR=" + one.tmp),
      variables.end());
  const fs::path root = fs::path(one.tmp).parent_path().parent_path();
  EXPECT_EQ(space.Finish(true), root.string());
  EXPECT_TRUE(fs::exists(root));
  fs::remove_all(root);
}

// Sets the modification time of each of `paths` to a minute ago.
void Settle(const std::vector<std::filesystem::path>& paths) {
  namespace fs = std::filesystem;
  const auto past = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  for (const fs::path& path : paths) fs::last_write_time(path, past);
}

TEST(ScratchSpaceTest, AMirrorIsSyncedAgainOnlyWhenADirectoryChanged) {
#if defined(_WIN32)
  GTEST_SKIP() << "no private working directories on Windows";
#endif
  namespace fs = std::filesystem;
  ScratchSpace& space = ScratchSpace::Get();
  const fs::path here = fs::current_path();
  const fs::path top = fs::path(testing::TempDir()) / "mirror_stamp";
  const fs::path original = top / "original";
  fs::remove_all(top);
  fs::create_directories(original);
  std::ofstream(original / "a") << "a";
  fs::current_path(original);
  WorkerScratch scratch;
  std::string error;
  // Until the directories settle, every run syncs; then the mirror is
  // stamped with their times.
  for (int run = 0; run < 2; ++run) {
    ASSERT_TRUE(space.ForWorker(1, true, &scratch, &error)) << error;
    const fs::path mirror = scratch.cwd;
    EXPECT_TRUE(fs::is_symlink(mirror / "a")) << mirror;
    space.Finish(false);
    Settle({original, top, mirror, mirror.parent_path()});
  }
  // Unchanged directories: the mirror is left as it is (a file planted
  // there, times restored, stays).
  ASSERT_TRUE(space.ForWorker(1, true, &scratch, &error)) << error;
  const fs::path mirror = scratch.cwd;
  const auto settled = fs::last_write_time(mirror);
  std::ofstream(mirror / "planted") << "x";
  fs::last_write_time(mirror, settled);
  space.Finish(false);
  EXPECT_TRUE(fs::exists(mirror / "planted"));
  // A new entry in the working directory: synced again at once.
  std::ofstream(original / "b") << "b";
  ASSERT_TRUE(space.ForWorker(1, true, &scratch, &error)) << error;
  EXPECT_EQ(fs::path(scratch.cwd), mirror);
  EXPECT_TRUE(fs::is_symlink(mirror / "b"));
  EXPECT_FALSE(fs::exists(mirror / "planted"));
  space.Finish(false);
  fs::current_path(here);
  fs::remove_all(top);
}

TEST(ScratchSpaceTest, RemovesWhatItMadeAndWhatKilledRunsLeft) {
  namespace fs = std::filesystem;
  ScratchSpace& space = ScratchSpace::Get();
  WorkerScratch scratch;
  std::string error;
  ASSERT_TRUE(space.ForWorker(1, false, &scratch, &error)) << error;
  EXPECT_TRUE(scratch.cwd.empty());
  const fs::path root = fs::path(scratch.tmp).parent_path().parent_path();
  // A run that was killed: its directory, its lock file free.
  const fs::path abandoned =
      root.parent_path() / ("gtest_parallel-1-" + root.filename().string());
  fs::create_directories(abandoned / "worker1" / "tmp");
  std::ofstream(abandoned / ".lock") << "";
  EXPECT_EQ(space.Finish(false), "");
  EXPECT_FALSE(fs::exists(root));
  ASSERT_TRUE(space.Fresh(false, &scratch, &error)) << error;
  EXPECT_FALSE(fs::exists(abandoned));
  space.Finish(false);
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
