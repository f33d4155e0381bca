// Real suites pass unchanged: workers do not share the paths a suite's tests
// share among themselves (each worker has its own TEST_TMPDIR, TMPDIR and
// working directory), the splitting policy, and failed tests run again
// alone. Runs the fixtures `isolation` and `truly_shared` in a working
// directory prepared here, and checks that the runs leave nothing behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "scenario.h"
#include "text_compare.h"

namespace gtest_parallel_e2e {
namespace {

namespace fs = std::filesystem;

// The text of testdata/input.txt; kInputText of test/fixtures/isolation.cc.
constexpr char kInputText[] = "relative data for gtest_parallel\n";

// The report property that says why a test passes alone.
constexpr char kAloneProperty[] = "gtest_parallel_passes_alone";

// The fixtures are Windows programs (run through a launcher, Wine): their
// workers share the working directory unless told otherwise.
bool RunsWindowsPrograms() {
  return std::getenv("GTEST_PARALLEL_E2E_LAUNCHER") != nullptr;
}

void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Every entry under `dir`, relative to it (links not followed).
std::set<std::string> Tree(const std::string& dir) {
  std::set<std::string> entries;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
    entries.insert(fs::relative(entry.path(), dir).generic_string());
  }
  EXPECT_FALSE(error) << "cannot list " << dir << ": " << error.message();
  return entries;
}

std::string Join(const std::set<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += "\n  " + item;
  return text.empty() ? " (nothing)" : text;
}

// The directories a run is given: a working directory holding
// testdata/input.txt, beside sibling_data/input.txt, and an empty
// temporary directory.
class Sandbox {
 public:
  explicit Sandbox(const ScratchDir& scratch)
      : parent_(scratch.NewSubdir("sandbox")),
        work_(parent_ + "/work"),
        tmp_(scratch.NewSubdir("tmp")) {
    WriteFile(work_ + "/testdata/input.txt", kInputText);
    WriteFile(parent_ + "/sibling_data/input.txt", kInputText);
    initial_tree_ = Tree(parent_);
  }

  const std::string& work() const { return work_; }
  const std::string& tmp() const { return tmp_; }

  // Expects the working directory and its parent as they were, and the
  // temporary directory empty.
  void ExpectNothingLeft() const {
    EXPECT_EQ(Tree(parent_), initial_tree_)
        << "the runs changed " << parent_
        << ", which held:" << Join(initial_tree_)
        << "\nand now holds:" << Join(Tree(parent_));
    EXPECT_EQ(Tree(tmp_), std::set<std::string>{})
        << "the runs left in their TEST_TMPDIR " << tmp_ << ":"
        << Join(Tree(tmp_));
  }

 private:
  std::string parent_;
  std::string work_;
  std::string tmp_;
  std::set<std::string> initial_tree_;
};

// The environment of a run in `sandbox`: its TEST_TMPDIR is sandbox.tmp().
EnvChanges SandboxEnv(const Sandbox& sandbox) {
  return {{"TEST_TMPDIR", ProgramPath(sandbox.tmp())}};
}

// A scenario of the isolation fixture in `sandbox`, on 2, 4 and 8 workers,
// without the suites `excluded` names (a --gtest_filter pattern) nor, for
// Windows programs, whose workers share the working directory by default,
// those that need one of their own.
Scenario IsolationScenario(const Sandbox& sandbox,
                           std::vector<std::string> args,
                           std::string excluded = "") {
  if (RunsWindowsPrograms()) {
    excluded += std::string(excluded.empty() ? "" : ":") + "SharedCwdFile*";
  }
  if (!excluded.empty()) args.push_back("--gtest_filter=-" + excluded);
  Scenario scenario;
  scenario.fixture = "isolation";
  scenario.args = std::move(args);
  scenario.env = SandboxEnv(sandbox);
  scenario.workers = {2, 4, 8};
  scenario.working_dir = sandbox.work();
  return scenario;
}

// The suites that share paths, read relative paths and depend on the order
// of their tests, as a serial run: by default a suite stays on one worker
// unless splitting it pays.
TEST(IsolationTest, SharedPathsAsSerialRun) {
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  CheckScenario(IsolationScenario(sandbox, {}));
  sandbox.ExpectNothingLeft();
}

// The same with every suite split over the workers, all but OrderDependent
// (which fails when split): the workers share none of the paths.
TEST(IsolationTest, SharedPathsAsSerialRunWhenSplit) {
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  Scenario scenario = IsolationScenario(
      sandbox, {"--gtest_parallel_split=always"}, "OrderDependent.*");
  scenario.report_format = "json";
  CheckScenario(scenario);
  sandbox.ExpectNothingLeft();
}

// GTEST_PARALLEL_SPLIT=never keeps every suite on one worker.
TEST(IsolationTest, SharedPathsAsSerialRunWhenNeverSplit) {
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  Scenario scenario = IsolationScenario(sandbox, {});
  scenario.env.emplace("GTEST_PARALLEL_SPLIT", "never");
  CheckScenario(scenario);
  sandbox.ExpectNothingLeft();
}

// The lines of `text`, each without its newline.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The tests GoogleTest's summary in `out` lists as failed.
std::set<std::string> FailedTests(const std::string& out) {
  const std::string prefix = "[  FAILED  ] ";
  const std::string list = " listed below:\n";
  std::set<std::string> failed;
  const size_t listed = out.find(list + prefix);
  if (listed == std::string::npos) return failed;
  for (const std::string& line : Lines(out.substr(listed + list.size()))) {
    if (line.rfind(prefix, 0) != 0) break;
    const std::string name = line.substr(prefix.size());
    failed.insert(name.substr(0, name.find(' ')));
  }
  return failed;
}

// Runs OrderDependent split over four workers until a run fails (its later
// tests failing away from the first one): a worker now and then takes all
// three before the others are ready. Returns that run, or the last one.
FixtureRun RunOrderDependentSplit(const ScratchDir& scratch,
                                  const Sandbox& sandbox) {
  FixtureRun run;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    run = RunFixture(FixtureNamed("isolation"),
                     {Build::kGtestParallel,
                      {"--gtest_parallel=4", "--gtest_parallel_split=always",
                       "--gtest_filter=OrderDependent.*"},
                      SandboxEnv(sandbox),
                      "xml",
                      sandbox.work()},
                     scratch, "split" + std::to_string(attempt));
    if (run.process.exit_code != 0) break;
  }
  return run;
}

// Split over workers, OrderDependent's later tests fail, alone too: the run
// fails and names none of them as passing alone.
TEST(IsolationTest, OrderDependentSplitDoesNotPassAlone) {
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  const FixtureRun run = RunOrderDependentSplit(scratch, sandbox);
  EXPECT_EQ(run.process.Describe(), "exit code 1") << run.Context();
  const std::set<std::string> failed = FailedTests(run.process.out);
  EXPECT_FALSE(failed.empty()) << run.Context();
  EXPECT_EQ(failed.count("OrderDependent.First"), 0u) << run.Context();
  EXPECT_EQ(run.process.out.find("passes alone"), std::string::npos)
      << run.Context();
  EXPECT_EQ(run.process.out.find("[  ALONE   ]"), std::string::npos)
      << run.Context();
  EXPECT_EQ(run.report.find(kAloneProperty), std::string::npos) << run.report;
  sandbox.ExpectNothingLeft();
}

// What one test of Spread/WorkerDirs saw (test/fixtures/isolation.cc).
using Record = std::map<std::string, std::string>;

// The records the tests wrote in `dir`, by worker id.
std::map<std::string, std::vector<Record>> ReadRecords(const std::string& dir) {
  std::map<std::string, std::vector<Record>> by_worker;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    std::ifstream in(entry.path());
    Record record;
    for (std::string line; std::getline(in, line);) {
      const size_t equals = line.find('=');
      if (equals != std::string::npos) {
        record[line.substr(0, equals)] = line.substr(equals + 1);
      }
    }
    by_worker[record["worker"]].push_back(record);
  }
  return by_worker;
}

// Runs the Spread/WorkerDirs tests on four workers (or serially, when
// `args` says so) in `sandbox` and returns their records by worker.
std::map<std::string, std::vector<Record>> RunWorkerDirs(
    const ScratchDir& scratch, const Sandbox& sandbox,
    std::vector<std::string> args, EnvChanges env, const std::string& label) {
  const std::string records = scratch.NewSubdir(label + ".records");
  args.push_back("--gtest_filter=Spread/WorkerDirs.*");
  args.push_back("--gtest_parallel_split=always");
  env.emplace("FIXTURE_DIRS_OUT", records);
  const FixtureRun run = RunFixture(
      FixtureNamed("isolation"),
      {Build::kGtestParallel, args, env, "", sandbox.work()}, scratch, label);
  EXPECT_EQ(run.process.Describe(), "exit code 0") << run.Context();
  EXPECT_NE(run.process.out.find("[  PASSED  ] 16 tests."), std::string::npos)
      << run.Context();
  return ReadRecords(records);
}

// The one value of `key` in the records of a worker.
std::string OneValue(const std::vector<Record>& records, const std::string& key,
                     const std::string& worker) {
  std::set<std::string> values;
  for (const Record& record : records) values.insert(record.at(key));
  EXPECT_EQ(values.size(), 1u)
      << "worker " << worker << " saw several " << key << ":" << Join(values);
  return *values.begin();
}

// `path` with its links resolved, for comparing directories.
std::string Canonical(const std::string& path) {
  std::error_code error;
  const fs::path canonical = fs::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

bool IsUnder(const std::string& path, const std::string& dir) {
  const std::string prefix = Canonical(dir) + "/";
  return Canonical(path).rfind(prefix, 0) == 0;
}

// Expects each worker to have had its own temporary directory under
// sandbox.tmp() and, with `private_cwd`, its own working directory (else
// sandbox.work()).
void ExpectOwnDirectories(
    const std::map<std::string, std::vector<Record>>& by_worker,
    const Sandbox& sandbox, bool private_cwd) {
  EXPECT_GE(by_worker.size(), 2u) << "the tests ran on fewer than 2 workers";
  std::map<std::string, std::string> temp_dirs;
  std::map<std::string, std::string> cwds;
  for (const auto& [worker, records] : by_worker) {
    const std::string temp_dir = OneValue(records, "temp_dir", worker);
    const std::string test_tmpdir = OneValue(records, "test_tmpdir", worker);
    const std::string cwd = OneValue(records, "cwd", worker);
    EXPECT_TRUE(IsUnder(test_tmpdir, sandbox.tmp()))
        << "worker " << worker << ": TEST_TMPDIR=" << test_tmpdir
        << " is not under " << sandbox.tmp();
    EXPECT_EQ(OneValue(records, "tmpdir", worker), test_tmpdir)
        << "worker " << worker << ": TMPDIR and TEST_TMPDIR differ";
    EXPECT_EQ(temp_dir.rfind(test_tmpdir, 0), 0u)
        << "worker " << worker << ": testing::TempDir() is " << temp_dir;
    EXPECT_TRUE(temp_dirs.emplace(temp_dir, worker).second)
        << "workers " << temp_dirs[temp_dir] << " and " << worker
        << " share testing::TempDir() " << temp_dir;
    if (!private_cwd) {
      EXPECT_EQ(cwd, Canonical(sandbox.work())) << "worker " << worker;
      continue;
    }
    EXPECT_FALSE(IsUnder(cwd, sandbox.work()) ||
                 cwd == Canonical(sandbox.work()))
        << "worker " << worker << " ran in " << cwd;
    EXPECT_TRUE(cwds.emplace(cwd, worker).second)
        << "workers " << cwds[cwd] << " and " << worker << " share " << cwd;
  }
}

// Every worker has its own testing::TempDir() under the TEST_TMPDIR of the
// run, and its own working directory; a serial run has the caller's.
TEST(IsolationTest, WorkersHaveTheirOwnDirectories) {
  if (RunsWindowsPrograms()) GTEST_SKIP() << "Unix paths only";
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  const EnvChanges env = SandboxEnv(sandbox);
  ExpectOwnDirectories(
      RunWorkerDirs(scratch, sandbox, {"--gtest_parallel=4"}, env, "4"),
      sandbox, /*private_cwd=*/true);

  const auto serial = RunWorkerDirs(scratch, sandbox, {}, env, "serial");
  ASSERT_EQ(serial.size(), 1u);
  ASSERT_EQ(serial.begin()->first, "0");
  for (const Record& record : serial.begin()->second) {
    EXPECT_EQ(record.at("temp_dir"), sandbox.tmp() + "/");
    EXPECT_EQ(record.at("cwd"), Canonical(sandbox.work()));
  }
  sandbox.ExpectNothingLeft();
}

// Without TEST_TMPDIR, the workers' temporary directories go under TMPDIR.
TEST(IsolationTest, TemporaryDirectoriesUnderTmpdir) {
  if (RunsWindowsPrograms()) GTEST_SKIP() << "Unix paths only";
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  const EnvChanges env = {{"TEST_TMPDIR", std::nullopt},
                          {"TMPDIR", sandbox.tmp()}};
  ExpectOwnDirectories(
      RunWorkerDirs(scratch, sandbox, {"--gtest_parallel=4"}, env, "4"),
      sandbox, /*private_cwd=*/true);
  sandbox.ExpectNothingLeft();
}

// --gtest_parallel_workdir=shared (or GTEST_PARALLEL_WORKDIR=shared): the
// workers run in the caller's working directory, still each with its own
// temporary directory.
TEST(IsolationTest, SharedWorkdirKeepsTheWorkingDirectory) {
  if (RunsWindowsPrograms()) GTEST_SKIP() << "Unix paths only";
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  const EnvChanges env = SandboxEnv(sandbox);
  ExpectOwnDirectories(
      RunWorkerDirs(scratch, sandbox,
                    {"--gtest_parallel=4", "--gtest_parallel_workdir=shared"},
                    env, "flag"),
      sandbox, /*private_cwd=*/false);
  EnvChanges shared_env = env;
  shared_env.emplace("GTEST_PARALLEL_WORKDIR", "shared");
  ExpectOwnDirectories(RunWorkerDirs(scratch, sandbox, {"--gtest_parallel=4"},
                                     shared_env, "variable"),
                       sandbox, /*private_cwd=*/false);
  sandbox.ExpectNothingLeft();
}

constexpr char kFirst[] = "TrulySharedFirst.HoldsTheLock";
constexpr char kSecond[] = "TrulySharedSecond.HoldsTheLockLater";

// Runs the truly_shared fixture, whose two tests hold one lock file in
// `shared_dir`, with an XML report.
FixtureRun RunTrulyShared(const ScratchDir& scratch, const Sandbox& sandbox,
                          const std::string& shared_dir, Build build,
                          const std::vector<std::string>& args, EnvChanges env,
                          const std::string& label) {
  env.emplace("FIXTURE_SHARED_DIR", ProgramPath(shared_dir));
  env.merge(SandboxEnv(sandbox));
  return RunFixture(FixtureNamed("truly_shared"),
                    {build, args, env, "xml", sandbox.work()}, scratch, label);
}

// Expects `run` to have failed one of the truly_shared tests, and returns
// it ("" when that is not so).
std::string TheFailedTest(const FixtureRun& run) {
  EXPECT_EQ(run.process.Describe(), "exit code 1") << run.Context();
  const std::set<std::string> failed = FailedTests(run.process.out);
  EXPECT_EQ(failed.size(), 1u) << run.Context();
  if (failed.size() != 1) return "";
  const std::string test = *failed.begin();
  EXPECT_TRUE(test == kFirst || test == kSecond) << run.Context();
  return test;
}

// The last `count` lines of `text`, for messages (Context() shows the
// first ones).
std::string Tail(const std::string& text, size_t count) {
  const std::vector<std::string> lines = Lines(text);
  std::string tail;
  for (size_t i = lines.size() > count ? lines.size() - count : 0;
       i < lines.size(); ++i) {
    tail += "  | " + lines[i] + "\n";
  }
  return "end of stdout:\n" + tail;
}

// Expects `run` to name `failed` as a test that passes alone and `other` as
// the test run beside it: in a block after GoogleTest's summary, and in the
// test's kAloneProperty in the (XML) report.
void ExpectPassesAloneBeside(const FixtureRun& run, const std::string& failed,
                             const std::string& other) {
  const std::string& out = run.process.out;
  const std::string header =
      "[  ALONE   ] 1 test failed beside other tests but passes alone, "
      "listed below:\n";
  const size_t block = out.find(header);
  EXPECT_NE(block, std::string::npos)
      << "no line " << header << "command: " << run.command << "\n"
      << Tail(out, 15);
  EXPECT_GT(block, out.find(" 1 FAILED TEST"))
      << "the block comes before GoogleTest's summary\n"
      << Tail(out, 15);
  const std::string prefix = "[  ALONE   ] " + failed + ": passes alone";
  const std::string line = LinesStartingWith(out, prefix);
  EXPECT_EQ(Lines(line).size(), 1u)
      << "expected one line starting with " << prefix << "\n"
      << Tail(out, 15);
  EXPECT_NE(line.find(other), std::string::npos)
      << "the line does not name " << other << ": " << line;

  const std::string property = std::string("<property name=\"") +
                               kAloneProperty +
                               "\" value=\"shares state with tests run "
                               "beside it (";
  const size_t found = run.report.find(property);
  ASSERT_NE(found, std::string::npos)
      << "no " << property << "...\" in the report:\n"
      << run.report;
  const std::string value =
      run.report.substr(found, run.report.find('\n', found) - found);
  EXPECT_NE(value.find(other), std::string::npos)
      << "the property does not name " << other << ": " << value;
}

// Run one after the other, the tests pass; started together on two workers,
// one fails, passes alone, and is named with the test that ran beside it.
// The run still fails.
TEST(IsolationTest, TestThatPassesAloneIsNamed) {
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  const std::string shared = scratch.NewSubdir("shared");
  for (Build build : {Build::kReference, Build::kGtestParallel}) {
    const FixtureRun serial =
        RunTrulyShared(scratch, sandbox, shared, build, {}, {}, "serial");
    EXPECT_EQ(serial.process.Describe(), "exit code 0") << serial.Context();
  }
  const FixtureRun run =
      RunTrulyShared(scratch, sandbox, shared, Build::kGtestParallel,
                     {"--gtest_parallel=2"}, {}, "parallel");
  const std::string failed = TheFailedTest(run);
  ASSERT_NE(failed, "") << run.Context();
  ExpectPassesAloneBeside(run, failed, failed == kFirst ? kSecond : kFirst);
  EXPECT_EQ(Tree(shared), std::set<std::string>{});
  sandbox.ExpectNothingLeft();
}

// --gtest_parallel_rerun_alone=0 (or GTEST_PARALLEL_RERUN_ALONE=0): the
// failed test is not run again, nothing is said about it.
TEST(IsolationTest, NoRerunAloneWhenTurnedOff) {
  ScratchDir scratch;
  const Sandbox sandbox(scratch);
  const std::string shared = scratch.NewSubdir("shared");
  const FixtureRun by_flag = RunTrulyShared(
      scratch, sandbox, shared, Build::kGtestParallel,
      {"--gtest_parallel=2", "--gtest_parallel_rerun_alone=0"}, {}, "flag");
  const FixtureRun by_variable = RunTrulyShared(
      scratch, sandbox, shared, Build::kGtestParallel, {"--gtest_parallel=2"},
      {{"GTEST_PARALLEL_RERUN_ALONE", "0"}}, "variable");
  for (const FixtureRun* run : {&by_flag, &by_variable}) {
    EXPECT_NE(TheFailedTest(*run), "");
    EXPECT_EQ(run->process.out.find("passes alone"), std::string::npos)
        << run->Context();
    EXPECT_EQ(run->process.out.find("[  ALONE   ]"), std::string::npos)
        << run->Context();
    EXPECT_EQ(run->report.find(kAloneProperty), std::string::npos)
        << run->report;
  }
  EXPECT_EQ(Tree(shared), std::set<std::string>{});
  sandbox.ExpectNothingLeft();
}

}  // namespace
}  // namespace gtest_parallel_e2e
