// The replacement for gtest_main: link gtest_parallel::main instead of
// GTest::gtest_main.
#include "coordinator/early_start.h"
#include "gtest_parallel/gtest_parallel.h"

#if defined(__GNUC__) && !defined(_WIN32)
namespace {

// Runs before the program's own static initialisation (which registers its
// tests), so that the workers start up meanwhile. The C library passes
// argc and argv to initialisers on the systems this is compiled for.
__attribute__((constructor(101))) void StartWorkersEarly(int argc,
                                                         char** argv) {
  gtest_parallel::internal::StartWorkersEarly(argc, argv);
}

}  // namespace
#endif

int main(int argc, char** argv) { return gtest_parallel::Main(argc, argv); }
