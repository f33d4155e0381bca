// Tests of the backend registry, with the out-of-tree "fakedb" backend.
#include <gtest/gtest.h>

#include "fake_backend.h"
#include "gtest_parallel/backend.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

TEST(RegistryTest, BuiltInBackendsRegisterThemselvesWhenLinked) {
  std::vector<std::string> schemes = RegisteredBackends();
  for (const char* scheme : {"mariadb", "postgresql", "sqlite"}) {
    EXPECT_NE(std::find(schemes.begin(), schemes.end(), scheme), schemes.end())
        << scheme;
  }
}

TEST(RegistryTest, UnknownSchemeNamesTheRegisteredOnes) {
  std::unique_ptr<Backend> backend;
  Status status =
      CreateBackend("oracle://scott:tiger@db/orcl", BackendOptions(), &backend);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_NE(status.message().find("'oracle:'"), std::string::npos);
  EXPECT_NE(status.message().find("postgresql"), std::string::npos);
  EXPECT_NE(status.message().find("RegisterBackend"), std::string::npos);
  EXPECT_EQ(status.message().find("tiger"), std::string::npos);
  EXPECT_EQ(CreateBackend("oracle:/", BackendOptions(), &backend).code(),
            ErrorCode::kMalformedUrl);
}

TEST(RegistryTest, ThirdPartyBackendPlugsIn) {
  fake_backend::RegisterFakeBackend();
  EXPECT_FALSE(fake_backend::RegisterFakeBackend());  // First one stays.
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend("fakedb://server/?connect_timeout=9",
                          BackendOptions(), &backend));
  EXPECT_EQ(backend->options().connect_timeout_seconds, 9);

  std::string template_name;
  ASSERT_OK(backend->CreateTemplate("Fake App", testing_support::FreshToken(),
                                    &template_name));
  FillSpec fill;
  fill.callback = [](Connection& connection) {
    Status status = connection.Execute("CREATE TABLE t");
    return status.ok() ? connection.Execute("INSERT INTO t") : status;
  };
  ASSERT_OK(backend->FillTemplate(template_name, fill));
  std::vector<std::string> clones;
  ASSERT_OK(backend->CloneAll(template_name, 3, &clones));
  ASSERT_EQ(clones.size(), 3u);
  EXPECT_EQ(clones[2], CloneName(template_name, 3));
  for (const std::string& clone : clones) EXPECT_OK(backend->Verify(clone));

  std::unique_ptr<Connection> connection;
  ASSERT_OK(backend->Connect(clones[0], &connection));
  ASSERT_OK(connection->Execute("INSERT INTO t"));
  EXPECT_EQ(backend->Verify(clones[0]).code(), ErrorCode::kVerifyFailed);
  ASSERT_OK(backend->Restore(clones[0]));
  EXPECT_OK(backend->Verify(clones[0]));
  EXPECT_EQ(backend->EnvironmentFor(clones[1])[0].second, clones[1]);

  // The shared SweepStale keeps this live run's databases.
  std::vector<std::string> dropped;
  ASSERT_OK(backend->SweepStale("", &dropped));
  EXPECT_TRUE(dropped.empty());
  for (const std::string& clone : clones) ASSERT_OK(backend->Drop(clone));
  ASSERT_OK(backend->Drop(template_name));
  std::vector<std::string> names;
  ASSERT_OK(backend->ListDatabases(&names));
  EXPECT_TRUE(names.empty());
}

}  // namespace
}  // namespace gtest_parallel
