// The child processes of the database setup benchmark (db_setup.cc):
// workers attaching in-memory SQLite clones (this program again, with
// --attach-child), mariadb-dump | mariadb, and the CPU time of the database
// server's processes.
#include <dirent.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "db_setup.h"
#include "gtest_parallel/backend.h"
#include "gtest_parallel/status.h"

namespace db_setup {

using gtest_parallel::Backend;
using gtest_parallel::Connection;
using gtest_parallel::ErrorCode;
using gtest_parallel::Status;

namespace {

// The variable naming the server's main processes (comma-separated pids),
// whose CPU time is then reported with the clone times.
constexpr char kServerPidsVariable[] = "BENCH_DB_SERVER_PIDS";

// Starts argv (searched on PATH) with stdin and stdout redirected to the
// given descriptors (-1: inherited) and `variables` added to its
// environment; closes the given descriptors in this process.
Status Spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd,
             const std::vector<std::pair<std::string, std::string>>& variables,
             pid_t* pid) {
  *pid = fork();
  if (*pid < 0) return Fail("fork: " + std::string(std::strerror(errno)));
  if (*pid == 0) {
    if (stdin_fd >= 0) dup2(stdin_fd, 0);
    if (stdout_fd >= 0) dup2(stdout_fd, 1);
    for (int fd : {stdin_fd, stdout_fd}) {
      if (fd > 2) close(fd);
    }
    for (const auto& [name, value] : variables) {
      setenv(name.c_str(), value.c_str(), 1);
    }
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "db_setup: cannot run %s: %s\n", args[0],
                 std::strerror(errno));
    _exit(127);
  }
  for (int fd : {stdin_fd, stdout_fd}) {
    if (fd > 2) close(fd);
  }
  return Status();
}

Status Wait(pid_t pid, const std::string& what) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return Fail("waitpid: " + std::string(std::strerror(errno)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status();
  return Fail(
      what +
      (WIFEXITED(status)
           ? " exited with status " + std::to_string(WEXITSTATUS(status))
           : " was killed by signal " + std::to_string(WTERMSIG(status))));
}

// Reads a descriptor to its end and closes it.
std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t size;
  while ((size = read(fd, buffer, sizeof(buffer))) != 0) {
    if (size < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buffer, size);
  }
  close(fd);
  return text;
}

std::string SelfPath() {
  char path[4096];
  ssize_t size = readlink("/proc/self/exe", path, sizeof(path) - 1);
  return size > 0 ? std::string(path, size) : "db_setup";
}

// A worker stand-in attaching an in-memory SQLite clone.
struct AttachChild {
  pid_t pid = -1;
  int output = -1;
};

Status StartAttachChild(const std::string& clone, AttachChild* child) {
  int fds[2];
  if (pipe(fds) != 0) return Fail("pipe: " + std::string(std::strerror(errno)));
  child->output = fds[0];
  return Spawn({SelfPath(), "--attach-child=" + clone}, -1, fds[1], {},
               &child->pid);
}

// Waits for a child; sets the time its Attach() took and checks that it
// saw all `orders` rows.
Status FinishAttachChild(const AttachChild& child, int64_t orders,
                         double* attach_ms) {
  std::string output = ReadAll(child.output);
  Status status = Wait(child.pid, "the attaching child");
  if (!status.ok()) return Fail(status.message() + ": " + output);
  long long seen = -1;
  if (std::sscanf(output.c_str(), "attach_ms=%lf orders=%lld", attach_ms,
                  &seen) != 2 ||
      seen != orders) {
    return Fail("the attaching child saw " + std::to_string(seen) +
                " orders, not " + std::to_string(orders) + ": " + output);
  }
  return Status();
}

}  // namespace

// Attaches `clone` in child processes, one per clone, started together;
// *attach_ms gets each child's Attach() time.
Status AttachInChildren(const std::vector<std::string>& clones, int64_t orders,
                        std::vector<double>* attach_ms) {
  std::vector<AttachChild> children(clones.size());
  Status status;
  size_t started = 0;
  for (; started < clones.size() && status.ok(); ++started) {
    status = StartAttachChild(clones[started], &children[started]);
  }
  attach_ms->assign(clones.size(), 0);
  for (size_t i = 0; i < started; ++i) {
    if (children[i].pid < 0) continue;
    Status finished = FinishAttachChild(children[i], orders, &(*attach_ms)[i]);
    if (status.ok()) status = finished;
  }
  return status;
}

// The --attach-child mode: attaches the clone with a backend of its own,
// as a worker does before its first test, and counts its orders.
int RunAttachChild(const std::string& url, const std::string& clone) {
  std::unique_ptr<Backend> backend;
  Status status = gtest_parallel::CreateBackend(
      url, gtest_parallel::BackendOptions(), &backend);
  Clock::time_point start = Clock::now();
  if (status.ok()) status = backend->Attach(clone);
  double attach_ms = MsSince(start);
  std::string orders;
  if (status.ok()) {
    std::unique_ptr<Connection> connection;
    status = backend->Connect(clone, &connection);
    if (status.ok()) {
      status = connection->QueryValue("SELECT COUNT(*) FROM orders", &orders);
    }
  }
  if (!status.ok()) {
    std::printf("%s\n", status.ToString().c_str());
    return 1;
  }
  std::printf("attach_ms=%.3f orders=%s\n", attach_ms, orders.c_str());
  return 0;
}

// Copies database `source` into a new database `target` with the MariaDB
// client programs: CREATE DATABASE, then mariadb-dump | mariadb, the usual
// way to copy a database without a clone feature. The password reaches
// them in MYSQL_PWD, never on a command line.
Status DumpAndLoad(const Backend& backend, const std::string& source,
                   const std::string& target) {
  std::map<std::string, std::string> parameters =
      backend.ConnectionParameters(source);
  std::vector<std::string> server = {"--no-defaults"};
  if (parameters.count("user"))
    server.push_back("--user=" + parameters["user"]);
  if (parameters.count("unix_socket")) {
    server.push_back("--socket=" + parameters["unix_socket"]);
  } else {
    server.push_back("--host=" + parameters["host"]);
    if (parameters.count("port")) {
      server.push_back("--port=" + parameters["port"]);
    }
  }
  std::vector<std::pair<std::string, std::string>> variables;
  if (parameters.count("password")) {
    variables.emplace_back("MYSQL_PWD", parameters["password"]);
  }
  auto command = [&](const std::string& program,
                     const std::vector<std::string>& arguments) {
    std::vector<std::string> argv = {program};
    argv.insert(argv.end(), server.begin(), server.end());
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return argv;
  };
  pid_t create;
  Status status =
      Spawn(command("mariadb", {"-e", "CREATE DATABASE `" + target + "`"}), -1,
            -1, variables, &create);
  if (status.ok()) status = Wait(create, "mariadb (CREATE DATABASE)");
  if (!status.ok()) return status;
  int fds[2];
  if (pipe(fds) != 0) return Fail("pipe: " + std::string(std::strerror(errno)));
  pid_t dump, load;
  status = Spawn(command("mariadb-dump", {"--single-transaction", "--routines",
                                          "--triggers", source}),
                 -1, fds[1], variables, &dump);
  if (!status.ok()) {
    close(fds[0]);
    return status;
  }
  status = Spawn(command("mariadb", {target}), fds[0], -1, variables, &load);
  Status dumped = Wait(dump, "mariadb-dump");
  if (status.ok()) status = Wait(load, "mariadb (load)");
  return dumped.ok() ? status : dumped;
}

ServerCpu::ServerCpu() {
  const char* text = std::getenv(kServerPidsVariable);
  std::stringstream in(text != nullptr ? text : "");
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) pids_.insert(std::atoi(item.c_str()));
  }
}

double ServerCpu::Seconds() const {
  if (pids_.empty()) return 0;
  int64_t ticks = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return 0;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    size_t end = text.rfind(')');
    if (end == std::string::npos) continue;
    // After "pid (comm) ": state, ppid, ..., utime, stime, cutime,
    // cstime are the 1st, 2nd and 12th to 15th fields.
    std::stringstream fields(text.substr(end + 2));
    std::vector<int64_t> values;
    std::string field;
    for (int i = 0; i < 15 && fields >> field; ++i) {
      values.push_back(i == 0 ? 0 : std::atoll(field.c_str()));
    }
    if (values.size() < 15) continue;
    if (pids_.count(std::atoi(entry->d_name)) != 0) {
      ticks += values[11] + values[12] + values[13] + values[14];
    } else if (pids_.count(static_cast<int>(values[1])) != 0) {
      ticks += values[11] + values[12];
    }
  }
  closedir(proc);
  return static_cast<double>(ticks) / sysconf(_SC_CLK_TCK);
}

}  // namespace db_setup
