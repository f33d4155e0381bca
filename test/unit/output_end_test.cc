// Unit tests of how a worker finds where its output file ends (POSIX): the
// cheap read through stdout's position, and the repair when a test closed
// stdout or pointed it at another file.
#ifndef _WIN32
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "platform/files.h"

namespace gtest_parallel {
namespace internal {
namespace {

// A new unlinked file, append-only as a worker's output file is.
int NewFile() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") +
                     "/gtest_parallel_output_end_test.XXXXXX";
  const int fd = mkostemp(&path[0], O_APPEND);
  if (fd >= 0) unlink(path.c_str());
  return fd;
}

void Write(int fd, const std::string& text) {
  ASSERT_EQ(write(fd, text.data(), text.size()),
            static_cast<ssize_t>(text.size()));
}

// Points fds 1 and 2 at a fresh output file for one test, as a worker's
// are, and puts the real ones back afterwards.
class OutputEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::fflush(nullptr);
    saved_out_ = dup(1);
    saved_err_ = dup(2);
    output_ = NewFile();
    ASSERT_GE(output_, 0);
    dup2(output_, 1);
    dup2(output_, 2);
  }
  void TearDown() override {
    std::fflush(nullptr);
    dup2(saved_out_, 1);
    dup2(saved_err_, 2);
    close(saved_out_);
    close(saved_err_);
    close(output_);
  }

  // Points stdout at a new file holding `text`, as a test that redirects
  // it would.
  static void PointStdoutAtNewFile(const std::string& text) {
    const int other = NewFile();
    ASSERT_GE(other, 0);
    Write(other, text);
    dup2(other, 1);
    close(other);
  }

  int output_ = -1;

 private:
  int saved_out_ = -1;
  int saved_err_ = -1;
};

TEST_F(OutputEndTest, FollowsWritesThroughStdoutAndStderr) {
  EXPECT_EQ(StandardOutputEnd(output_, 0), 0);
  Write(1, "abc");
  Write(2, "de");
  EXPECT_EQ(StandardOutputEnd(output_, 0), 5);
  EXPECT_EQ(StandardOutputSize(output_), 5);
}

TEST_F(OutputEndTest, RepairsAClosedStdoutAndStderr) {
  Write(1, "abc");
  close(1);
  close(2);
  EXPECT_EQ(StandardOutputEnd(output_, 3), 3);
  Write(1, "de");
  Write(2, "f");
  EXPECT_EQ(StandardOutputEnd(output_, 3), 6);
}

TEST_F(OutputEndTest, RepairsStdoutPointedAtAFileThatIsBehind) {
  Write(1, "abcdef");
  ASSERT_NO_FATAL_FAILURE(PointStdoutAtNewFile(""));
  EXPECT_EQ(StandardOutputEnd(output_, 6), 6);
  Write(1, "g");
  EXPECT_EQ(StandardOutputEnd(output_, 6), 7);
}

// A file further along is beyond the cheap read (it takes the other file's
// position); the stat made whenever events go out catches it.
TEST_F(OutputEndTest, StatRepairsStdoutPointedAtAFileThatIsAhead) {
  Write(1, "ab");
  ASSERT_NO_FATAL_FAILURE(PointStdoutAtNewFile("0123456789"));
  EXPECT_EQ(StandardOutputEnd(output_, 2), 10);
  EXPECT_EQ(StandardOutputSize(output_), 2);
  Write(1, "c");
  EXPECT_EQ(StandardOutputEnd(output_, 2), 3);
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
#endif  // _WIN32
