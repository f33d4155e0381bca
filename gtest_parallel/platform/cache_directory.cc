// The cache directory (see cache_directory.h).
#include "platform/cache_directory.h"

#include <cstdlib>

namespace gtest_parallel {
namespace internal {

std::string CacheDirectory() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/gtest_parallel";
  }
#ifdef _WIN32
  if (const char* local = std::getenv("LOCALAPPDATA"); local && *local) {
    return std::string(local) + "/gtest_parallel";
  }
#endif
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.cache/gtest_parallel";
  }
  return "";
}

}  // namespace internal
}  // namespace gtest_parallel
