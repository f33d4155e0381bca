// Parsing of gtest_parallel's flags with Boost.Program_options.
#include "flags/options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include "flags/flag_names.h"
#include "platform/cpus.h"

extern char** environ;

namespace gtest_parallel {
namespace internal {
namespace po = boost::program_options;

namespace {

constexpr char kParallelFlag[] = "gtest_parallel";

// The values --gtest_parallel takes, for error messages.
constexpr char kParallelValues[] = "N or auto";

// Our settings besides the worker count: flag name (after "--"),
// environment variable, and how to store a value.
struct Setting {
  const char* flag;
  const char* variable;
  const char* implicit;  // The value of the bare flag; null: none.
  const char* values;    // The values it takes, for error messages.
  bool (*apply)(const std::string& value, const std::string& source,
                Options* options, std::string* error);
};

bool ParseSeconds(const std::string& value, const std::string& source,
                  double* seconds, std::string* error) {
  char* end = nullptr;
  const double parsed = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(parsed >= 0) || parsed > 1e7) {
    *error = "invalid value '" + value + "' for " + source +
             ": expected a number of seconds (0 for none)";
    return false;
  }
  *seconds = parsed;
  return true;
}

bool ApplyTimeout(const std::string& value, const std::string& source,
                  Options* options, std::string* error) {
  return ParseSeconds(value, source, &options->timeout_seconds, error);
}

bool ApplySlow(const std::string& value, const std::string& source,
               Options* options, std::string* error) {
  return ParseSeconds(value, source, &options->slow_seconds, error);
}

bool ApplyRetries(const std::string& value, const std::string& source,
                  Options* options, std::string* error) {
  const bool digits =
      !value.empty() && value.size() <= 3 &&
      value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(value) > kMaxRetries) {
    *error = "invalid value '" + value + "' for " + source +
             ": expected a number of retries from 0 to " +
             std::to_string(kMaxRetries);
    return false;
  }
  options->retries = std::stoi(value);
  return true;
}

// Stores in *chosen the value paired with `value` among `choices`; an error
// listing them ("expected never, auto or always") when none is.
template <typename T>
bool ParseChoice(const std::string& value, const std::string& source,
                 std::initializer_list<std::pair<const char*, T>> choices,
                 T* chosen, std::string* error) {
  std::string expected;
  size_t index = 0;
  for (const auto& [name, meaning] : choices) {
    if (value == name) {
      *chosen = meaning;
      return true;
    }
    expected += (index == 0                    ? ""
                 : index + 1 == choices.size() ? " or "
                                               : ", ") +
                std::string(name);
    ++index;
  }
  *error =
      "invalid value '" + value + "' for " + source + ": expected " + expected;
  return false;
}

bool ApplyOutput(const std::string& value, const std::string& source,
                 Options* options, std::string* error) {
  return ParseChoice(value, source,
                     {{"failures", OutputMode::kFailures},
                      {"all", OutputMode::kAll},
                      {"none", OutputMode::kNone}},
                     &options->output, error);
}

bool ApplyTimingFile(const std::string& value, const std::string& /*source*/,
                     Options* options, std::string* /*error*/) {
  options->timing_file = value == "none" ? "" : value;
  options->timing_file_set = true;
  return true;
}

bool ParseBool(const std::string& value, const std::string& source, bool* flag,
               std::string* error) {
  if (value == "1" || value == "true" || value == "yes") {
    *flag = true;
  } else if (value == "0" || value == "false" || value == "no") {
    *flag = false;
  } else {
    *error = "invalid value '" + value + "' for " + source +
             ": expected 1 or 0 (true/false, yes/no)";
    return false;
  }
  return true;
}

bool ApplyKeepdb(const std::string& value, const std::string& source,
                 Options* options, std::string* error) {
  return ParseBool(value, source, &options->keepdb, error);
}

bool ApplyDropdb(const std::string& value, const std::string& source,
                 Options* options, std::string* error) {
  return ParseBool(value, source, &options->dropdb, error);
}

// The values of --gtest_parallel_db_reset (DatabaseResetName too).
constexpr std::pair<const char*, DatabaseReset> kDatabaseResets[] = {
    {"test", DatabaseReset::kTest},
    {"suite", DatabaseReset::kSuite},
    {"crash", DatabaseReset::kCrash},
    {"never", DatabaseReset::kNever}};

bool ApplyDbReset(const std::string& value, const std::string& source,
                  Options* options, std::string* error) {
  const auto& [test, suite, crash, never] = kDatabaseResets;
  return ParseChoice(value, source, {test, suite, crash, never},
                     &options->db_reset, error);
}

bool ApplyDbLeaks(const std::string& value, const std::string& source,
                  Options* options, std::string* error) {
  return ParseBool(value, source, &options->db_leaks, error);
}

bool ApplyForce(const std::string& value, const std::string& source,
                Options* options, std::string* error) {
  return ParseBool(value, source, &options->force_parallel, error);
}

bool ApplyWorkdir(const std::string& value, const std::string& source,
                  Options* options, std::string* error) {
  return ParseChoice(value, source, {{"private", true}, {"shared", false}},
                     &options->private_workdir, error);
}

bool ApplyKeepScratch(const std::string& value, const std::string& source,
                      Options* options, std::string* error) {
  return ParseBool(value, source, &options->keep_scratch, error);
}

bool ApplySplit(const std::string& value, const std::string& source,
                Options* options, std::string* error) {
  return ParseChoice(value, source,
                     {{"never", SplitPolicy::kNever},
                      {"auto", SplitPolicy::kAuto},
                      {"always", SplitPolicy::kAlways}},
                     &options->split, error);
}

bool ApplyRerunAlone(const std::string& value, const std::string& source,
                     Options* options, std::string* error) {
  return ParseBool(value, source, &options->rerun_alone, error);
}

bool ApplyRerunFailed(const std::string& value, const std::string& source,
                      Options* options, std::string* error) {
  return ParseBool(value, source, &options->rerun_failed, error);
}

// ALIAS=URL; the alias is checked against the declared databases later.
bool ApplyDatabase(const std::string& value, const std::string& source,
                   Options* options, std::string* error) {
  const size_t equals = value.find('=');
  if (equals == std::string::npos || equals == 0 ||
      equals + 1 == value.size()) {
    // The value may hold a password: name only its shape.
    *error = "invalid value for " + source + ": expected ALIAS=URL";
    return false;
  }
  options->database_urls[value.substr(0, equals)] = value.substr(equals + 1);
  return true;
}

constexpr Setting kSettings[] = {
    {"gtest_parallel_timeout", "GTEST_PARALLEL_TIMEOUT", nullptr,
     "a number of seconds (0 for no limit)", &ApplyTimeout},
    {"gtest_parallel_slow", "GTEST_PARALLEL_SLOW", nullptr,
     "a number of seconds (0 for never)", &ApplySlow},
    {"gtest_parallel_retries", "GTEST_PARALLEL_RETRIES", nullptr,
     "a number of retries", &ApplyRetries},
    {"gtest_parallel_output", "GTEST_PARALLEL_OUTPUT", nullptr,
     "failures, all or none", &ApplyOutput},
    {"gtest_parallel_timing_file", "GTEST_PARALLEL_TIMING_FILE", nullptr,
     "a path, or none", &ApplyTimingFile},
    {"gtest_parallel_keepdb", "GTEST_PARALLEL_KEEPDB", "1", "1 or 0",
     &ApplyKeepdb},
    {"gtest_parallel_dropdb", "GTEST_PARALLEL_DROPDB", "1", "1 or 0",
     &ApplyDropdb},
    {"gtest_parallel_db_reset", "GTEST_PARALLEL_DB_RESET", nullptr,
     "test, suite, crash or never", &ApplyDbReset},
    {"gtest_parallel_db_leaks", "GTEST_PARALLEL_DB_LEAKS", "1", "1 or 0",
     &ApplyDbLeaks},
    {"gtest_parallel_force", "GTEST_PARALLEL_FORCE", "1", "1 or 0",
     &ApplyForce},
    {"gtest_parallel_workdir", "GTEST_PARALLEL_WORKDIR", nullptr,
     "private or shared", &ApplyWorkdir},
    {"gtest_parallel_keep_scratch", "GTEST_PARALLEL_KEEP_SCRATCH", "1",
     "1 or 0", &ApplyKeepScratch},
    {"gtest_parallel_split", "GTEST_PARALLEL_SPLIT", nullptr,
     "never, auto or always", &ApplySplit},
    {"gtest_parallel_rerun_alone", "GTEST_PARALLEL_RERUN_ALONE", "1", "1 or 0",
     &ApplyRerunAlone},
    {"gtest_parallel_rerun_failed", "GTEST_PARALLEL_RERUN_FAILED", "1",
     "1 or 0", &ApplyRerunFailed},
};

// Repeatable; its variables are per alias (GTEST_PARALLEL_DB_<ALIAS>) and
// read where the databases are set up.
constexpr char kDatabaseFlag[] = "gtest_parallel_db";
constexpr char kDatabaseValues[] = "ALIAS=URL";

// Our flags for Boost.
po::options_description Describe() {
  po::options_description description;
  description.add_options()(kParallelFlag,
                            po::value<std::string>()->implicit_value("auto"),
                            "N|auto");
  for (const Setting& setting : kSettings) {
    auto* value = po::value<std::string>();
    if (setting.implicit != nullptr) value->implicit_value(setting.implicit);
    description.add_options()(setting.flag, value, "");
  }
  description.add_options()(kDatabaseFlag,
                            po::value<std::vector<std::string>>(), "");
  return description;
}

// Our flags' names, without dashes.
std::vector<std::string> FlagNames() {
  std::vector<std::string> names = {kParallelFlag};
  for (const Setting& setting : kSettings) names.push_back(setting.flag);
  names.push_back(kDatabaseFlag);
  return names;
}

// A flag's name: the argument without its leading dashes and "=value".
std::string FlagName(const std::string& token) {
  const size_t start = token.find_first_not_of('-');
  if (start == std::string::npos) return "";
  const size_t equals = token.find('=', start);
  return token.substr(
      start, equals == std::string::npos ? std::string::npos : equals - start);
}

// True for "--gtest_parallel", "--gtest_parallel=..." and every
// "--gtest_parallel_..." (one dash works too, as with GoogleTest's own
// flags), and for misspellings of them (IsMisspeltFlag). Unknown ones are
// ours as well, so a typo is an error rather than something GoogleTest
// answers with its help text.
bool IsOurFlag(const std::string& token) {
  if (token.size() < 2 || token[0] != '-') return false;
  const std::string bare = token.substr(token[1] == '-' ? 2 : 1);
  const std::string name = bare.substr(0, bare.find('='));
  const std::string ours = kParallelFlag;
  return name == ours || name.rfind(ours + "_", 0) == 0 ||
         IsMisspeltFlag(name, FlagNames());
}

// `token` as an error message shows it. A value that may be a URL (':' or
// '@') may hold a password: it is left out.
std::string Shown(const std::string& token) {
  const size_t equals = token.find('=');
  if (equals == std::string::npos ||
      token.find_first_of(":@", equals) == std::string::npos) {
    return token;
  }
  return token.substr(0, equals) + "=...";
}

// The error for `token`, a flag of ours that does not exist.
std::string UnknownFlagError(const std::string& token) {
  std::string name = FlagName(token);
  std::replace(name.begin(), name.end(), '-', '_');
  const std::string nearest = Nearest(name, FlagNames());
  const std::string error = "unknown flag " + Shown(token);
  if (nearest.empty()) return error + " (--help lists gtest_parallel's flags)";
  return error + "; did you mean --" + nearest + "?";
}

// Fails with an error naming the first of our flags that does not exist.
bool CheckFlagNames(const std::vector<std::string>& ours, std::string* error) {
  const std::vector<std::string> known = FlagNames();
  for (const std::string& token : ours) {
    if (std::find(known.begin(), known.end(), FlagName(token)) == known.end()) {
      *error = UnknownFlagError(token);
      return false;
    }
  }
  return true;
}

// The values the flag `name` takes, for error messages.
std::string FlagValues(const std::string& name) {
  if (name == kParallelFlag) return kParallelValues;
  if (name == kDatabaseFlag) return kDatabaseValues;
  for (const Setting& setting : kSettings) {
    if (name == setting.flag) return setting.values;
  }
  return "a value";
}

// Our words for Boost's complaint about the syntax of a flag.
std::string SyntaxError(const po::invalid_command_line_syntax& e) {
  const std::string name = FlagName(e.get_option_name());
  const std::string flag = "--" + name;
  switch (e.kind()) {
    case po::invalid_syntax::empty_adjacent_parameter:
      return flag + "= needs a value: " + FlagValues(name);
    case po::invalid_syntax::missing_parameter:
      return flag + " needs a value after '=': " + FlagValues(name);
    default:
      return "cannot read " + flag + ": its value, after '=', is " +
             FlagValues(name);
  }
}

// Stores the values of the flags found in `values` in `options`.
bool ApplyFlags(const po::variables_map& values, Options* options,
                std::string* error) {
  if (values.count(kParallelFlag) != 0 &&
      !ParseWorkerCount(values[kParallelFlag].as<std::string>(),
                        std::string("--") + kParallelFlag, options, error)) {
    return false;
  }
  for (const Setting& setting : kSettings) {
    if (values.count(setting.flag) != 0 &&
        !setting.apply(values[setting.flag].as<std::string>(),
                       std::string("--") + setting.flag, options, error)) {
      return false;
    }
  }
  if (values.count(kDatabaseFlag) != 0) {
    for (const std::string& value :
         values[kDatabaseFlag].as<std::vector<std::string>>()) {
      if (!ApplyDatabase(value, std::string("--") + kDatabaseFlag, options,
                         error)) {
        return false;
      }
    }
  }
  return true;
}

// Parses `ours`, flags of ours that all exist, into `options`. Boost's
// messages are never shown: each error it reports is put in our words.
bool ParseFlags(const std::vector<std::string>& ours, Options* options,
                std::string* error) {
  const po::options_description description = Describe();
  po::variables_map values;
  try {
    po::store(po::command_line_parser(ours)
                  .options(description)
                  .style(po::command_line_style::allow_long |
                         po::command_line_style::long_allow_adjacent |
                         po::command_line_style::allow_long_disguise)
                  .run(),
              values);
  } catch (const po::invalid_command_line_syntax& e) {
    *error = SyntaxError(e);
    return false;
  } catch (const po::multiple_occurrences& e) {
    *error = "--" + FlagName(e.get_option_name()) + " is given more than once";
    return false;
  } catch (const po::unknown_option& e) {
    *error = UnknownFlagError(e.get_option_name());
    return false;
  } catch (const po::error_with_option_name& e) {
    *error = "cannot read --" + FlagName(e.get_option_name());
    return false;
  } catch (const po::error&) {
    *error = "cannot read the flags of gtest_parallel";
    return false;
  }
  return ApplyFlags(values, options, error);
}

// The names of this process's environment variables.
std::vector<std::string> EnvironmentNames() {
  std::vector<std::string> names;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text = *entry;
    names.push_back(text.substr(0, text.find('=')));
  }
  return names;
}

// Reads GTEST_PARALLEL (`env_parallel`) and the settings' variables into
// `options`, after checking the environment for misspelt names.
bool ApplyVariables(const char* env_parallel, Options* options,
                    std::string* error) {
  if (!CheckVariableNames(EnvironmentNames(), error)) return false;
  if (env_parallel != nullptr &&
      !ParseWorkerCount(env_parallel, "GTEST_PARALLEL", options, error)) {
    return false;
  }
  for (const Setting& setting : kSettings) {
    const char* value = std::getenv(setting.variable);
    if (value != nullptr &&
        !setting.apply(value, setting.variable, options, error)) {
      return false;
    }
  }
  return true;
}

}  // namespace

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

bool CheckVariableNames(const std::vector<std::string>& names,
                        std::string* error) {
  std::vector<std::string> settings;
  for (const Setting& setting : kSettings) settings.push_back(setting.variable);
  return CheckVariableNames(names, settings, error);
}

bool ParseOptions(int* argc, char** argv, const char* env_parallel,
                  Options* options, std::string* error) {
  *options = Options();
  if (!ApplyVariables(env_parallel, options, error)) return false;
  // Only our own flags go to Boost; everything else stays for GoogleTest
  // and the program, in order.
  std::vector<std::string> ours;
  for (int i = 1; i < *argc; ++i) {
    if (IsOurFlag(argv[i])) ours.push_back(argv[i]);
  }
  if (!CheckFlagNames(ours, error) || !ParseFlags(ours, options, error)) {
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

std::string DatabaseResetName(DatabaseReset reset) {
  for (const auto& [name, value] : kDatabaseResets) {
    if (value == reset) return name;
  }
  return "";
}

}  // namespace internal
}  // namespace gtest_parallel
