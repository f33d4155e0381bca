// Parsing of gtest_parallel's flags with Boost.Program_options.
#include "options.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace gtest_parallel {
namespace internal {
namespace po = boost::program_options;

namespace {

constexpr char kParallelFlag[] = "gtest_parallel";

po::options_description Describe() {
  po::options_description description;
  description.add_options()(kParallelFlag,
                            po::value<std::string>()->implicit_value("auto"),
                            "N|auto");
  return description;
}

// True for "--gtest_parallel" and "--gtest_parallel=..." (one dash works
// too, as with GoogleTest's own flags).
bool IsOurFlag(const std::string& token) {
  if (token.size() < 2 || token[0] != '-') return false;
  const std::string bare = token.substr(token[1] == '-' ? 2 : 1);
  const std::string name = kParallelFlag;
  return bare == name || bare.rfind(name + "=", 0) == 0;
}

}  // namespace

int AvailableCpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
#endif
  const unsigned count = std::thread::hardware_concurrency();
  return count > 0 ? static_cast<int>(count) : 1;
}

bool ParseWorkerCount(const std::string& value, const std::string& source,
                      Options* options, std::string* error) {
  if (value == "auto") {
    options->workers = AvailableCpus();
    options->workers_auto = true;
    return true;
  }
  bool digits = !value.empty() && value.size() <= 9;
  for (char c : value)
    digits = digits && std::isdigit(static_cast<unsigned char>(c));
  const int count = digits ? std::stoi(value) : -1;
  if (count < 0 || count > kMaxWorkers) {
    *error = "invalid value '" + value + "' for " + source +
             ": expected a number of workers from 0 to " +
             std::to_string(kMaxWorkers) + ", or 'auto'";
    return false;
  }
  options->workers = count;
  options->workers_auto = false;
  return true;
}

bool ParseOptions(int* argc, char** argv, const char* env_parallel,
                  Options* options, std::string* error) {
  *options = Options();
  if (env_parallel != nullptr &&
      !ParseWorkerCount(env_parallel, "GTEST_PARALLEL", options, error)) {
    return false;
  }
  // Only our own flags go to Boost; everything else stays for GoogleTest
  // and the program, in order.
  std::vector<std::string> ours;
  for (int i = 1; i < *argc; ++i) {
    if (IsOurFlag(argv[i])) ours.push_back(argv[i]);
  }
  const po::options_description description = Describe();
  try {
    po::variables_map values;
    po::store(po::command_line_parser(ours)
                  .options(description)
                  .style(po::command_line_style::allow_long |
                         po::command_line_style::long_allow_adjacent |
                         po::command_line_style::allow_long_disguise)
                  .run(),
              values);
    if (values.count(kParallelFlag) != 0 &&
        !ParseWorkerCount(values[kParallelFlag].as<std::string>(),
                          std::string("--") + kParallelFlag, options, error)) {
      return false;
    }
  } catch (const po::error& e) {
    *error = e.what();
    return false;
  }
  // Drop our flags from argv (GoogleTest keeps pointers into it).
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (!IsOurFlag(argv[i])) argv[out++] = argv[i];
  }
  *argc = out;
  argv[out] = nullptr;
  return true;
}

std::string FlagsHelp() {
  return "\n"
         "Parallel Execution (gtest_parallel):\n"
         "  --gtest_parallel=[N|auto]\n"
         "      Run the tests on N worker processes (auto: one per available\n"
         "      CPU). 0 or 1 runs them serially, exactly like gtest_main.\n"
         "      The environment variable GTEST_PARALLEL sets the default;\n"
         "      the flag wins.\n";
}

}  // namespace internal
}  // namespace gtest_parallel
