// Unit tests for the parsing of gtest_parallel's database and --force
// flags and their environment variables (options.h).
#include <gtest/gtest.h>

#include <string>

#include "flags/options.h"
#include "options_test_util.h"
#include "scoped_environment.h"

namespace gtest_parallel {
namespace internal {
namespace options_testing {
namespace {

TEST(ParseOptionsTest, DatabaseUrlsPerAliasRepeatable) {
  const Parsed parsed =
      Parse({"prog", "--gtest_parallel_db=app=sqlite::memory:", "x",
             "--gtest_parallel_db=cache=postgresql://u:p@h/db?a=b"});
  ASSERT_TRUE(parsed.ok) << parsed.error;
  EXPECT_EQ(parsed.left, (Args{"prog", "x"}));
  EXPECT_EQ(parsed.options.database_urls.size(), 2u);
  EXPECT_EQ(parsed.options.database_urls.at("app"), "sqlite::memory:");
  EXPECT_EQ(parsed.options.database_urls.at("cache"),
            "postgresql://u:p@h/db?a=b");
}

TEST(ParseOptionsTest, DatabaseFlagWithoutAliasIsAnErrorThatHidesTheValue) {
  for (const char* bad :
       {"--gtest_parallel_db=postgresql://u:Secr3t@h/db",
        "--gtest_parallel_db==x", "--gtest_parallel_db=app="}) {
    const Parsed parsed = Parse({"prog", bad});
    EXPECT_FALSE(parsed.ok) << bad;
    EXPECT_NE(parsed.error.find("--gtest_parallel_db"), std::string::npos);
    EXPECT_NE(parsed.error.find("ALIAS=URL"), std::string::npos);
    EXPECT_EQ(parsed.error.find("Secr3t"), std::string::npos) << parsed.error;
  }
}

TEST(ParseOptionsTest, Keepdb) {
  EXPECT_FALSE(Parse({"prog"}).options.keepdb);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_keepdb"}).options.keepdb);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_keepdb=1"}).options.keepdb);
  EXPECT_FALSE(Parse({"prog", "--gtest_parallel_keepdb=0"}).options.keepdb);
  const Parsed bad = Parse({"prog", "--gtest_parallel_keepdb=maybe"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("--gtest_parallel_keepdb"), std::string::npos);
}

TEST(ParseOptionsTest, KeepdbFromTheEnvironmentFlagWins) {
  const ScopedEnvironment keepdb("GTEST_PARALLEL_KEEPDB", "1");
  EXPECT_TRUE(Parse({"prog"}).options.keepdb);
  EXPECT_FALSE(Parse({"prog", "--gtest_parallel_keepdb=0"}).options.keepdb);
}

TEST(ParseOptionsTest, Dropdb) {
  EXPECT_FALSE(Parse({"prog"}).options.dropdb);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_dropdb"}).options.dropdb);
  EXPECT_FALSE(Parse({"prog", "--gtest_parallel_dropdb=0"}).options.dropdb);
  const Parsed bad = Parse({"prog", "--gtest_parallel_dropdb=maybe"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("--gtest_parallel_dropdb"), std::string::npos);
  const ScopedEnvironment dropdb("GTEST_PARALLEL_DROPDB", "1");
  EXPECT_TRUE(Parse({"prog"}).options.dropdb);
  const Parsed typo = Parse({"prog", "--gtest_parallel_drop_db"});
  EXPECT_FALSE(typo.ok);
  EXPECT_NE(typo.error.find("did you mean --gtest_parallel_dropdb?"),
            std::string::npos)
      << typo.error;
}

TEST(ParseOptionsTest, Force) {
  EXPECT_FALSE(Parse({"prog"}).options.force_parallel);
  EXPECT_TRUE(Parse({"prog", "--gtest_parallel_force"}).options.force_parallel);
  EXPECT_TRUE(
      Parse({"prog", "--gtest_parallel_force=true"}).options.force_parallel);
  EXPECT_FALSE(
      Parse({"prog", "--gtest_parallel_force=0"}).options.force_parallel);
  const Parsed bad = Parse({"prog", "--gtest_parallel_force=maybe"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("--gtest_parallel_force"), std::string::npos);
}

TEST(ParseOptionsTest, ForceFromTheEnvironmentFlagWins) {
  {
    const ScopedEnvironment force("GTEST_PARALLEL_FORCE", "1");
    EXPECT_TRUE(Parse({"prog"}).options.force_parallel);
    EXPECT_FALSE(
        Parse({"prog", "--gtest_parallel_force=false"}).options.force_parallel);
  }
  const ScopedEnvironment bad_force("GTEST_PARALLEL_FORCE", "maybe");
  const Parsed bad = Parse({"prog"});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find("GTEST_PARALLEL_FORCE"), std::string::npos);
}

}  // namespace
}  // namespace options_testing
}  // namespace internal
}  // namespace gtest_parallel
