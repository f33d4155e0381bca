// Unit tests of the reset settings and the leak check's wording
// (databases/reset.h).
#include "databases/reset.h"

#include <gtest/gtest.h>

#include <vector>

namespace gtest_parallel {
namespace internal {
namespace {

TEST(DbResetTest, TheFlagWinsOverTheDeclaration) {
  DatabaseDeclaration declaration("app", "sqlite::memory:");
  declaration.WithReset(ResetScope::kSuite);
  Options options;
  EXPECT_EQ(ScopeOf(declaration, options), ResetScope::kSuite);
  options.db_reset = DatabaseReset::kNever;
  EXPECT_EQ(ScopeOf(declaration, options), ResetScope::kNever);
  options.db_reset = DatabaseReset::kCrash;
  EXPECT_EQ(ScopeOf(declaration, options), ResetScope::kCrash);
  options.db_reset = DatabaseReset::kTest;
  EXPECT_EQ(ScopeOf(declaration, options), ResetScope::kTest);
}

TEST(DbResetTest, TheDefaultIsAfterEveryTest) {
  EXPECT_EQ(ScopeOf(DatabaseDeclaration("app", "sqlite::memory:"), Options()),
            ResetScope::kTest);
}

TEST(DbResetTest, TemplatesArePreparedUnlessNothingResetsOrChecks) {
  DatabaseDeclaration declaration("app", "sqlite::memory:");
  declaration.WithReset(ResetScope::kNever);
  Options options;
  EXPECT_FALSE(NeedsReset(declaration, options));
  options.db_leaks = true;
  EXPECT_TRUE(NeedsReset(declaration, options));
  options.db_leaks = false;
  options.db_reset = DatabaseReset::kCrash;
  EXPECT_TRUE(NeedsReset(declaration, options));
}

TEST(DbResetTest, DescribesEachKindOfDifference) {
  std::vector<TableDifference> differences(4);
  differences[0].table = "orders";
  differences[0].template_rows = 5;
  differences[0].rows = 7;
  differences[1].table = "audit";
  differences[1].template_rows = 3;
  differences[1].rows = 3;
  differences[2].table = "scratch";
  differences[2].rows = 2;
  differences[2].schema_changed = true;
  differences[3].table = "old";
  differences[3].template_rows = 4;
  differences[3].schema_changed = true;
  EXPECT_EQ(DescribeDifferences(differences),
            "table orders: 7 rows (template 5); table audit: 3 rows "
            "(template 3), rows changed; table scratch: created (2 rows); "
            "table old: dropped (template 4 rows)");
  EXPECT_EQ(DescribeDifferences({}), "");
}

}  // namespace
}  // namespace internal
}  // namespace gtest_parallel
