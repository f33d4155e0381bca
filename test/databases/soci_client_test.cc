// SOCI, as a program using it would: soci::session takes the PostgreSQL
// clone's connection_string(), and SociConnectionString() of the MariaDB
// clone (SOCI's mysql backend has its own "key='value'" syntax).
#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include "client_databases.h"

namespace {

using gtest_parallel::Database;

TEST(Soci, PostgresqlSessionOpensTheClone) {
  soci::session sql(soci::postgresql, Database("pg").connection_string());
  std::string name, value;
  sql << "SELECT current_database(), (SELECT v FROM t)", soci::into(name),
      soci::into(value);
  EXPECT_EQ(name, Database("pg").name());
  EXPECT_EQ(value, "seeded");
}

TEST(Soci, MariadbSessionOpensTheClone) {
  soci::session sql(soci::mysql,
                    gtest_parallel::SociConnectionString(Database("maria")));
  std::string name, value;
  sql << "SELECT DATABASE(), (SELECT v FROM t)", soci::into(name),
      soci::into(value);
  EXPECT_EQ(name, Database("maria").name());
  EXPECT_EQ(value, "seeded");
}

}  // namespace

int main(int argc, char** argv) {
  gtest_parallel::InitGoogleTest(&argc, argv);
  client_databases::DeclareAll(/*sqlite=*/false);
  return gtest_parallel::RunAllTests();
}
