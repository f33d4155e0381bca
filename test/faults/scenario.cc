// Fixture runs for the fault tests (see scenario.h).
#include "scenario.h"

#include <utility>

namespace faults {

std::string Outcome::Context() const {
  std::string text = "\ncommand: " + command + "\nresult: " + run.Describe();
  if (!leftovers.empty()) text += "\nleft behind: " + leftovers;
  text += "\n--- stdout (end) ---\n" + Tail(run.out, 3000);
  text += "\n--- stderr (end) ---\n" + Tail(run.err, 2000) + "\n";
  return text;
}

std::vector<std::string> FixtureArgv(const std::string& fixture,
                                     const std::vector<std::string>& args,
                                     const std::string& xml_path) {
  // No timing history: what earlier runs failed must not change the
  // schedule (a suite that failed is kept on one worker).
  std::vector<std::string> argv{fixture, "--gtest_parallel_timing_file=none"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--gtest_output=xml:" + xml_path);
  return argv;
}

Outcome Finish(FixtureRun* run, const std::string& xml_path, double timeout) {
  Outcome outcome;
  outcome.command = run->CommandLine();
  outcome.run = run->Wait(timeout);
  if (!run->error().empty()) outcome.run.err += "\n" + run->error();
  outcome.report = Report(ReadFile(xml_path));
  outcome.leftovers = Leftovers(run->run_id(), 1.0);
  run->KillEverything();
  return outcome;
}

Outcome RunFixture(const std::string& fixture, std::vector<std::string> args,
                   std::vector<std::string> env, double timeout) {
  ScratchDir scratch;
  const std::string xml = scratch.File("report.xml");
  FixtureRun run(FixtureArgv(fixture, args, xml), std::move(env));
  return Finish(&run, xml, timeout);
}

std::vector<std::string> ListTests(const std::string& fixture,
                                   std::vector<std::string> args) {
  args.insert(args.begin(), fixture);
  args.push_back("--gtest_list_tests");
  FixtureRun run(std::move(args), {});
  const RunResult& result = run.Wait(60);
  std::vector<std::string> names;
  std::string suite;
  size_t at = 0;
  while (at < result.out.size()) {
    size_t end = result.out.find('\n', at);
    if (end == std::string::npos) end = result.out.size();
    std::string line = result.out.substr(at, end - at);
    at = end + 1;
    line = line.substr(0, line.find("  #"));
    if (line.rfind("  ", 0) == 0) {
      names.push_back(suite + line.substr(2));
    } else if (!line.empty()) {
      suite = line;  // "Suite." as listed.
    }
  }
  return names;
}

std::string ConsoleSection(const std::string& out,
                           const std::string& full_name) {
  const size_t start = out.find("[ RUN      ] " + full_name + "\n");
  if (start == std::string::npos) return "";
  size_t end = out.find("] " + full_name + " (", start);
  if (end != std::string::npos) end = out.find('\n', end);
  return out.substr(start, end == std::string::npos ? end : end - start + 1);
}

}  // namespace faults
