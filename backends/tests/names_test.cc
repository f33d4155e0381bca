// Tests of database names and run tokens.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest_parallel/backend.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

TEST(NamesTest, SanitizeBaseName) {
  EXPECT_EQ(SanitizeBaseName("MyApp-Test.db"), "myapp_test_db");
  EXPECT_EQ(SanitizeBaseName("1st"), "db_1st");
  EXPECT_EQ(SanitizeBaseName(""), "db_");
  EXPECT_EQ(SanitizeBaseName("caf\xc3\xa9"), "caf__");
  std::string long_a(100, 'a');
  std::string long_b = long_a + "b";
  EXPECT_EQ(SanitizeBaseName(long_a).size(), kMaxBaseNameLength);
  EXPECT_NE(SanitizeBaseName(long_a), SanitizeBaseName(long_b));
}

TEST(NamesTest, TemplateAndCloneNamesFitPostgresqlLimit) {
  std::string token =
      RunToken::ForThisProcess(RunToken::kMaxSequence).ToString();
  ASSERT_EQ(token.size(), RunToken::kLength);
  std::string template_name = TemplateName(std::string(200, 'x'), token);
  EXPECT_LE(CloneName(template_name, 9999).size(), kMaxDatabaseNameLength);
  std::string split;
  int worker = 0;
  ASSERT_TRUE(SplitCloneName(CloneName(template_name, 1024), &split, &worker));
  EXPECT_EQ(split, template_name);
  EXPECT_EQ(worker, 1024);
  EXPECT_FALSE(SplitCloneName(template_name, &split, &worker));
  EXPECT_FALSE(SplitCloneName("app_07", &split, &worker));
}

TEST(NamesTest, ParseManagedName) {
  RunToken token = RunToken::ForThisProcess(7);
  std::string template_name = TemplateName("My_App", token.ToString());
  ManagedName parsed;
  ASSERT_TRUE(ParseManagedName(CloneName(template_name, 3), &parsed));
  EXPECT_EQ(parsed.base, "my_app");
  EXPECT_EQ(parsed.template_name, template_name);
  EXPECT_EQ(parsed.worker, 3);
  EXPECT_EQ(parsed.token.pid(), getpid());
  EXPECT_EQ(parsed.token.sequence(), 7);
  ASSERT_TRUE(ParseManagedName(template_name, &parsed));
  EXPECT_EQ(parsed.worker, 0);
  EXPECT_FALSE(ParseManagedName("postgres", &parsed));
  EXPECT_FALSE(ParseManagedName("app_keep1234_1", &parsed));
}

TEST(NamesTest, IsValidRunToken) {
  EXPECT_TRUE(IsValidRunToken("keep1a2b"));
  EXPECT_TRUE(IsValidRunToken(RunToken::ForThisProcess().ToString()));
  EXPECT_FALSE(IsValidRunToken(""));
  EXPECT_FALSE(IsValidRunToken("1abc"));
  EXPECT_FALSE(IsValidRunToken("Abc"));
  EXPECT_FALSE(IsValidRunToken("a_b"));
  EXPECT_FALSE(IsValidRunToken(std::string(RunToken::kLength + 1, 'a')));
}

TEST(RunTokenTest, RoundTripsAndKnowsItsOwnerIsAlive) {
  RunToken token = RunToken::ForThisProcess(5);
  RunToken parsed;
  ASSERT_TRUE(RunToken::Parse(token.ToString(), &parsed));
  EXPECT_EQ(parsed.ToString(), token.ToString());
  EXPECT_EQ(parsed.pid(), getpid());
  EXPECT_EQ(parsed.OwnerState(), RunToken::Owner::kAlive);
  EXPECT_FALSE(RunToken::Parse("gtp", &parsed));
  EXPECT_FALSE(RunToken::Parse(std::string(RunToken::kLength, 'a'), &parsed));
}

TEST(RunTokenTest, DeadOwnerAndOtherMachine) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  RunToken token;
  ASSERT_TRUE(RunToken::ForProcess(child, 0, &token));
  EXPECT_EQ(token.OwnerState(), RunToken::Owner::kAlive);
  kill(child, SIGKILL);
  // A zombie is dead already.
  usleep(100000);
  EXPECT_EQ(token.OwnerState(), RunToken::Owner::kDead);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(token.OwnerState(), RunToken::Owner::kDead);
  EXPECT_FALSE(RunToken::ForProcess(child, 0, &token));

  // A token whose start time does not match its pid's is dead (pid reuse).
  std::string text = RunToken::ForThisProcess().ToString();
  text[RunToken::kLength - 3] = text[RunToken::kLength - 3] == 'z' ? 'y' : 'z';
  ASSERT_TRUE(RunToken::Parse(text, &token));
  EXPECT_EQ(token.OwnerState(), RunToken::Owner::kDead);

  // Another host tag: cannot tell, so unknown (and kept by sweeps).
  text = RunToken::ForThisProcess().ToString();
  text[3] = text[3] == 'z' ? 'y' : 'z';
  ASSERT_TRUE(RunToken::Parse(text, &token));
  EXPECT_EQ(token.OwnerState(), RunToken::Owner::kUnknown);
}

}  // namespace
}  // namespace gtest_parallel
