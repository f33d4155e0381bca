// The replacement for gtest_main: link gtest_parallel::main instead of
// GTest::gtest_main.
#include "gtest_parallel/gtest_parallel.h"

int main(int argc, char** argv) { return gtest_parallel::Main(argc, argv); }
