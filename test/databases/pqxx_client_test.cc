// libpqxx, as a program using it would: pqxx::connection takes the
// PostgreSQL clone's connection_string() as it is.
#include <pqxx/pqxx>

#include "client_databases.h"

namespace {

TEST(Libpqxx, ConnectionStringOpensTheClone) {
  const gtest_parallel::TestDatabase& db = gtest_parallel::Database("pg");
  pqxx::connection connection{db.connection_string()};
  pqxx::work work{connection};
  pqxx::result result =
      work.exec("SELECT current_database(), (SELECT v FROM t)");
  ASSERT_EQ(result.size(), 1u);
  EXPECT_EQ(result[0][0].as<std::string>(), db.name());
  EXPECT_EQ(result[0][1].as<std::string>(), "seeded");
  work.exec("INSERT INTO t VALUES ('from pqxx')");
  work.commit();
}

}  // namespace

int main(int argc, char** argv) {
  gtest_parallel::InitGoogleTest(&argc, argv);
  client_databases::DeclareAll(/*sqlite=*/false);
  return gtest_parallel::RunAllTests();
}
