// The coordinator's runs alone: after an iteration, each test that failed
// runs once more, by itself, to tell failures that come from the tests run
// beside it (alone.h has the run; see "Runs alone" in docs/design.md).
#include <string>
#include <utility>
#include <vector>

#include "coordinator/coordinator.h"
#include "coordinator/coordinator_slot.h"
#include "coordinator/worker_command.h"
#include "databases/run_databases.h"
#include "platform/signals.h"

namespace gtest_parallel {
namespace internal {

std::vector<std::string> Coordinator::AloneEnvironment(
    const WorkerScratch& scratch) const {
  std::vector<std::string> env;
  for (std::string& entry : WorkerEnvironment(1, 1, scratch)) {
    const std::string name = entry.substr(0, entry.find('='));
    // A serial run: no worker number. Servers given by flags come through
    // the environment, where no other user can read a password.
    if (name == "GTEST_PARALLEL_WORKER" || name == "GTEST_PARALLEL_WORKERS" ||
        name.rfind("GTEST_PARALLEL_DATABASE_", 0) == 0 ||
        std::any_of(options_.database_urls.begin(),
                    options_.database_urls.end(), [&](const auto& url) {
                      return name == DatabaseUrlVariable(url.first);
                    })) {
      continue;
    }
    env.push_back(std::move(entry));
  }
  for (const auto& [alias, url] : options_.database_urls) {
    env.push_back(DatabaseUrlVariable(alias) + "=" + url);
  }
  // Worker 1's databases, which outlive its process until the run ends: a
  // database made for the run alone would be left behind if the test
  // crashed it.
  if (!worker_databases_.empty()) {
    for (const Assignment& assignment :
         DecodeAssignments(worker_databases_[0])) {
      env.push_back(DatabaseVariable(assignment.alias) + "=" + assignment.name);
    }
  }
  return env;
}

void Coordinator::RunAloneLocked(std::unique_lock<std::mutex>* lock) {
  std::vector<Span> failed;
  failed.swap(failed_spans_);
  if (failed.empty() || pool_.interrupt_signal() != 0 ||
      !fatal_error_.empty() || (scheduler_ && scheduler_->stopped())) {
    return;
  }
  const size_t count = failed.size();
  if (failed.size() > static_cast<size_t>(kMaxAloneRuns)) {
    failed.resize(kMaxAloneRuns);
  }
  Notice(
      "[gtest_parallel] running %s again, each alone, to tell failures "
      "that come from tests run beside them (--gtest_parallel_rerun_"
      "alone=0 does not)\n",
      count == failed.size()
          ? (std::to_string(count) + " failed test" + (count == 1 ? "" : "s"))
                .c_str()
          : ("the first " + std::to_string(failed.size()) + " of " +
             std::to_string(count) + " failed tests")
                .c_str());
  const std::vector<Span> spans = spans_;
  for (const Span& span : failed) {
    WorkerScratch scratch;
    std::string error;
    if (!ScratchSpace::Get().Fresh(options_.private_workdir, &scratch,
                                   &error)) {
      Notice("[gtest_parallel] cannot run tests again alone: %s\n",
             error.c_str());
      return;
    }
    const std::string name = plan_.FullName(span.test);
    const std::vector<std::string> env = AloneEnvironment(scratch);
    const double limit =
        AloneTimeLimitSeconds(options_, span.end_ms - span.start_ms);
    lock->unlock();
    std::string outcome;
    const bool passed = RunAlone(
        worker_argv_, env, scratch.cwd, name, limit,
        [] { return InterruptCount() > 0; }, &outcome);
    lock->lock();
    if (InterruptCount() > 0) return;
    if (passed) {
      passed_alone_.emplace_back(span.test,
                                 PassesAloneNote(spans, span, [this](int test) {
                                   return plan_.FullName(test);
                                 }));
    }
  }
}

std::vector<std::pair<int, std::string>> Coordinator::TakePassedAlone() {
  std::lock_guard<std::mutex> lock(pool_.mutex());
  std::vector<std::pair<int, std::string>> passed;
  passed.swap(passed_alone_);
  return passed;
}

}  // namespace internal
}  // namespace gtest_parallel
