// Scratch directories and whole-file reads for the end-to-end and fault
// tests.
#ifndef GTEST_PARALLEL_TEST_SUPPORT_FILES_H_
#define GTEST_PARALLEL_TEST_SUPPORT_FILES_H_

#include <string>

namespace test_support {

// A fresh directory for the files of the current test,
// <$TMPDIR or /tmp>/<program>.<Suite.Test>.XXXXXX. It is removed with its
// contents at destruction, unless the test has failed by then: then it is
// kept, and its path printed.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name, not created.
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Creates path()/name empty (removing what was there) and returns it;
  // characters of `name` other than letters, digits, '-' and '.' become '_'.
  std::string NewSubdir(const std::string& name) const;

 private:
  std::string path_;
};

// The contents of the file at `path`, "" if it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace test_support

#endif  // GTEST_PARALLEL_TEST_SUPPORT_FILES_H_
