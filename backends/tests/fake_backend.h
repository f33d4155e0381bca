// A tiny in-memory backend defined outside backends/, registered as the
// "fakedb" URL scheme: proof that a third party (an Oracle backend, say)
// plugs into gtest_parallel through RegisterBackend() alone.
#ifndef GTEST_PARALLEL_BACKENDS_TESTS_FAKE_BACKEND_H_
#define GTEST_PARALLEL_BACKENDS_TESTS_FAKE_BACKEND_H_

#include <memory>

#include "gtest_parallel/backend.h"

namespace fake_backend {

// Registers the "fakedb" scheme (once; later calls return false).
bool RegisterFakeBackend();

}  // namespace fake_backend

#endif  // GTEST_PARALLEL_BACKENDS_TESTS_FAKE_BACKEND_H_
