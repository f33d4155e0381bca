// Errors and connection details of the server backends (PostgreSQL and
// MariaDB, from scripts/start-databases.sh): unreachable and hung servers
// fail within the connect timeout, wrong passwords, missing privileges and
// templates in use give clear errors without the password, and the
// environment and parameters of a clone reach it.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "gtest_parallel/backend.h"
#include "test_support.h"

namespace gtest_parallel {
namespace {

using testing_support::FreshToken;
using testing_support::MillisecondsSince;

// A server under test.
struct Server {
  std::string label;
  std::string url_variable;           // The superuser's URL.
  std::string nocreate_url_variable;  // A user who cannot create databases.
};

// Names the server in test output.
void PrintTo(const Server& server, std::ostream* out) { *out << server.label; }

class ServerTest : public ::testing::TestWithParam<Server> {
 protected:
  void SetUp() override {
    url_text_ = testing_support::ServerUrl(GetParam().url_variable);
    ASSERT_FALSE(url_text_.empty());
    ASSERT_OK(ParseDatabaseUrl(url_text_, &url_));
    ASSERT_OK(CreateBackend(url_, BackendOptions(), &backend_));
    before_ = testing_support::OwnDatabases(*backend_);
  }

  void TearDown() override {
    if (backend_ != nullptr) {
      EXPECT_EQ(testing_support::OwnDatabases(*backend_), before_)
          << "the test left databases behind";
    }
    if (!directory_.empty()) testing_support::RemoveTree(directory_);
  }

  bool IsPostgresql() const { return url_.scheme == "postgresql"; }

  // url_ with its socket moved to the directory (PostgreSQL) or file
  // (MariaDB) at path.
  DatabaseUrl WithSocket(const std::string& path) const {
    DatabaseUrl moved = url_;
    moved.socket = path;
    return moved;
  }

  void ExpectNoPassword(const Status& status) {
    EXPECT_EQ(status.message().find(url_.password), std::string::npos)
        << status.message();
  }

  std::string Base() const {
    return std::string("gtpb_") +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  std::string url_text_;
  DatabaseUrl url_;
  std::string directory_;
  std::unique_ptr<Backend> backend_;
  std::vector<std::string> before_;
};

TEST_P(ServerTest, MissingServerIsUnreachableAtOnce) {
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend(
      WithSocket(IsPostgresql() ? "/nonexistent/run" : "/nonexistent/x.sock"),
      BackendOptions(), &backend));
  auto start = std::chrono::steady_clock::now();
  std::string name;
  Status status = backend->CreateTemplate(Base(), FreshToken(), &name);
  EXPECT_EQ(status.code(), ErrorCode::kUnreachable) << status.ToString();
  EXPECT_LT(MillisecondsSince(start), 2000);
  EXPECT_NE(status.message().find("/nonexistent"), std::string::npos)
      << status.message();
  ExpectNoPassword(status);
  std::printf("[ message ] %s\n", status.ToString().c_str());
}

TEST_P(ServerTest, HungServerIsUnreachableWithinTheConnectTimeout) {
  // A socket that accepts connections but never answers.
  directory_ = testing_support::MakeTempDirectory();
  std::string path =
      directory_ +
      (IsPostgresql()
           ? "/.s.PGSQL." + std::to_string(url_.port ? url_.port : 5432)
           : "/hung.sock");
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path.c_str());
  ASSERT_EQ(
      bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
      0);
  ASSERT_EQ(listen(listener, 16), 0);

  BackendOptions options;
  options.connect_timeout_seconds = 2;
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend(WithSocket(IsPostgresql() ? directory_ : path),
                          options, &backend));
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> names;
  Status status = backend->ListDatabases(&names);
  double elapsed = MillisecondsSince(start);
  close(listener);
  EXPECT_EQ(status.code(), ErrorCode::kUnreachable) << status.ToString();
  EXPECT_GE(elapsed, 1500);
  EXPECT_LT(elapsed, 8000);
  ExpectNoPassword(status);
  std::printf("[ message ] after %.0f ms: %s\n", elapsed,
              status.ToString().c_str());
}

TEST_P(ServerTest, WrongPasswordIsAnAuthenticationError) {
  DatabaseUrl wrong = url_;
  wrong.password = "wrong-" + url_.password.substr(0, 4) + "-pw";
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend(wrong, BackendOptions(), &backend));
  std::string name;
  Status status = backend->CreateTemplate(Base(), FreshToken(), &name);
  EXPECT_EQ(status.code(), ErrorCode::kAuthentication) << status.ToString();
  EXPECT_EQ(status.message().find(wrong.password), std::string::npos)
      << status.message();
  ExpectNoPassword(status);
  std::printf("[ message ] %s\n", status.ToString().c_str());
}

TEST_P(ServerTest, UserWithoutCreatePrivilegeIsPermissionDenied) {
  std::string url =
      testing_support::ServerUrl(GetParam().nocreate_url_variable);
  ASSERT_FALSE(url.empty());
  std::string password = testing_support::PasswordOf(url);
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend(url, BackendOptions(), &backend));
  std::string name;
  Status status = backend->CreateTemplate(Base(), FreshToken(), &name);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied) << status.ToString();
  EXPECT_NE(status.message().find("privilege"), std::string::npos);
  EXPECT_EQ(status.message().find(password), std::string::npos);
  std::printf("[ message ] %s\n", status.ToString().c_str());
}

TEST_P(ServerTest, TemplateInUse) {
  BackendOptions options;
  options.terminate_template_sessions = false;
  std::unique_ptr<Backend> backend;
  ASSERT_OK(CreateBackend(url_, options, &backend));
  std::string template_name, clone;
  ASSERT_OK(backend->CreateTemplate(Base(), FreshToken(), &template_name));
  {
    std::unique_ptr<Connection> stray;
    ASSERT_OK(backend->Connect(template_name, &stray));
    auto start = std::chrono::steady_clock::now();
    Status status = backend->Clone(template_name, 1, &clone);
    double elapsed = MillisecondsSince(start);
    EXPECT_EQ(status.code(), ErrorCode::kTemplateInUse) << status.ToString();
    EXPECT_NE(status.message().find("1 other session"), std::string::npos)
        << status.message();
    EXPECT_LT(elapsed, 15000);
    ExpectNoPassword(status);
    std::printf("[ message ] after %.0f ms: %s\n", elapsed,
                status.ToString().c_str());
  }
  if (IsPostgresql()) {
    // The template is sealed against new sessions...
    std::unique_ptr<Connection> stray;
    Status status = backend_->Connect(template_name, &stray);
    EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied) << status.ToString();
    // ... and by default the sessions it had are ended before cloning.
    std::string second;
    ASSERT_OK(backend_->CreateTemplate(Base(), FreshToken(), &second));
    ASSERT_OK(backend_->Connect(second, &stray));
    ASSERT_OK(backend_->Clone(second, 1, &clone));
    EXPECT_FALSE(stray->Execute("SELECT 1").ok());
    ASSERT_OK(backend_->Drop(clone));
    ASSERT_OK(backend_->Drop(second));
  }
  ASSERT_OK(backend->Drop(template_name));
}

TEST_P(ServerTest, ParametersAndEnvironmentReachTheClone) {
  std::string template_name, clone;
  ASSERT_OK(backend_->CreateTemplate(Base(), FreshToken(), &template_name));
  ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  int exit_code = 0;
  std::string output;
  if (IsPostgresql()) {
    // psql started by a test, with only the environment, lands in the clone.
    output = testing_support::RunProgram(
        {"psql", "-XAtc", "SELECT current_database()"},
        backend_->EnvironmentFor(clone), &exit_code);
    EXPECT_EQ(output, clone + "\n");
    output =
        testing_support::RunProgram({"psql", "-XAtc", "SELECT current_user",
                                     backend_->ConnectionString(clone)},
                                    {}, &exit_code);
    EXPECT_EQ(output, url_.user + "\n");
  } else {
    // The mariadb client finds the socket and password in the environment.
    output = testing_support::RunProgram(
        {"mariadb", "--no-defaults", "-u", url_.user, "-NBe", "SELECT @@socket",
         clone},
        backend_->EnvironmentFor(clone), &exit_code);
    EXPECT_EQ(output, url_.socket + "\n");
    EXPECT_EQ(exit_code, 0);
    // Attached, the clone has an option file ($MARIADB_HOME/my.cnf) that
    // names the user and the database too: the client needs no arguments.
    ASSERT_OK(backend_->Attach(clone));
    std::string home;
    for (const auto& [variable, value] : backend_->EnvironmentFor(clone)) {
      if (variable == "MARIADB_HOME") home = value;
    }
    ASSERT_FALSE(home.empty());
    output = testing_support::RunProgram(
        {"mariadb", "-NBe", "SELECT DATABASE(), CURRENT_USER()"},
        backend_->EnvironmentFor(clone), &exit_code);
    EXPECT_EQ(output, clone + "\t" + url_.user + "@localhost\n");
    std::string options;
    std::getline(std::ifstream(home + "/my.cnf"), options, '\0');
    EXPECT_EQ(options.find(url_.password), std::string::npos)
        << "the option file holds the password";
    // Connector/C's key=value; form.
    EXPECT_EQ(backend_->ConnectionString(clone).find("mariadb://"),
              std::string::npos);
    ASSERT_OK(backend_->Drop(clone));
    EXPECT_FALSE(std::ifstream(home + "/my.cnf").good())
        << "Drop() left the option file";
    ASSERT_OK(backend_->Clone(template_name, 1, &clone));
  }
  EXPECT_EQ(exit_code, 0);
  bool has_url = false;
  for (const auto& [variable, value] : backend_->EnvironmentFor(clone)) {
    if (variable != "GTEST_PARALLEL_DATABASE_URL") continue;
    has_url = true;
    std::unique_ptr<Backend> from_environment;
    ASSERT_OK(CreateBackend(value, BackendOptions(), &from_environment));
    std::unique_ptr<Connection> connection;
    ASSERT_OK(from_environment->Connect(clone, &connection));
  }
  EXPECT_TRUE(has_url);
  auto parameters = backend_->ConnectionParameters(clone);
  EXPECT_EQ(parameters[IsPostgresql() ? "dbname" : "database"], clone);
  ASSERT_OK(backend_->Drop(clone));
  ASSERT_OK(backend_->Drop(template_name));
}

std::string ServerName(const ::testing::TestParamInfo<Server>& info) {
  return info.param.label;
}

INSTANTIATE_TEST_SUITE_P(Postgresql, ServerTest,
                         ::testing::Values(Server{
                             "postgresql", "GTEST_PARALLEL_TEST_PG_URL",
                             "GTEST_PARALLEL_TEST_PG_NOCREATE_URL"}),
                         ServerName);
INSTANTIATE_TEST_SUITE_P(Mariadb, ServerTest,
                         ::testing::Values(Server{
                             "mariadb", "GTEST_PARALLEL_TEST_MARIADB_URL",
                             "GTEST_PARALLEL_TEST_MARIADB_NOCREATE_URL"}),
                         ServerName);

}  // namespace
}  // namespace gtest_parallel
