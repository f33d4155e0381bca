// A program that links gtest_parallel::sqlite alone: checks that only the
// SQLite backend is registered and that no PostgreSQL or MariaDB client
// library is loaded into it. Exits 0 when so.
#include <link.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "gtest_parallel/sqlite_backend.h"

int main() {
  int failures = 0;
  std::vector<std::string> schemes = gtest_parallel::RegisteredBackends();
  if (schemes != std::vector<std::string>{"sqlite"}) {
    std::printf("registered backends are not just sqlite\n");
    ++failures;
  }
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        const char* name = info->dlpi_name;
        if (std::strstr(name, "libpq") != nullptr ||
            std::strstr(name, "libmariadb") != nullptr ||
            std::strstr(name, "libmysql") != nullptr) {
          std::printf("loaded %s\n", name);
          ++*static_cast<int*>(data);
        }
        return 0;
      },
      &failures);
  std::unique_ptr<gtest_parallel::Backend> backend;
  gtest_parallel::Status status = gtest_parallel::CreateBackend(
      "sqlite::memory:", gtest_parallel::BackendOptions(), &backend);
  if (!status.ok()) {
    std::printf("%s\n", status.ToString().c_str());
    ++failures;
  }
  std::printf(failures == 0 ? "ok: sqlite only\n" : "FAILED\n");
  return failures == 0 ? 0 : 1;
}
