// Scratch directories and file reads (see files.h).
#include "support/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace test_support {
namespace {

namespace fs = std::filesystem;

// Letters, digits, '-' and '.' kept; anything else becomes '_'.
std::string FileNameFor(const std::string& text) {
  std::string name;
  for (char c : text) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    name += keep ? c : '_';
  }
  return name;
}

}  // namespace

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const ::testing::TestInfo* test =
      ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string test_name =
      test == nullptr ? "test"
                      : FileNameFor(std::string(test->test_suite_name()) + "." +
                                    test->name());
  // The name of the test program (GNU), e.g. "fault_tests".
  std::string pattern = base + "/" +
                        FileNameFor(program_invocation_short_name) + "." +
                        test_name + ".XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "cannot create a directory like " << pattern;
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (::testing::Test::HasFailure()) {
    std::printf("Files of the failed test kept in %s\n", path_.c_str());
    std::fflush(stdout);
    return;
  }
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string ScratchDir::NewSubdir(const std::string& name) const {
  const std::string path = path_ + "/" + FileNameFor(name);
  std::error_code ignored;
  fs::remove_all(path, ignored);
  fs::create_directories(path);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), {});
}

}  // namespace test_support
