// Small string, hash and file helpers shared by the backends and the
// runner: reading a file, making directories, hiding passwords, hashing
// names. Not part of the stable interface.
#ifndef GTEST_PARALLEL_INTERNAL_UTIL_H_
#define GTEST_PARALLEL_INTERNAL_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest_parallel/status.h"

namespace gtest_parallel::internal {

// Reads a whole file; kNotFound naming the file when it cannot be read.
Status ReadTextFile(const std::string& path, std::string* contents);

// Makes path and its parents (like mkdir -p), new ones with `mode` (less
// the umask); true if path exists afterwards.
bool MakeDirectories(const std::string& path, unsigned mode = 0777);

// text with the password hidden ("***") where it is given as a password:
// in a URL's ":<form>@" and as the value of a "...password=" or "...pwd="
// keyword (conninfo, URL parameter or variable; quoted or not), for each
// form in `forms` (the password as typed, percent-encoded, ...). Anything
// else is left as it is, so that a path holding the same letters stays
// intact. text is unchanged when every form is empty.
std::string ScrubPassword(std::string text,
                          const std::vector<std::string>& forms);

// 64-bit FNV-1a hash of data, continuing from hash.
uint64_t Fnv1a64(const std::string& data,
                 uint64_t hash = 0xcbf29ce484222325ULL);

// value in lowercase base 36, left-padded with '0' to width digits.
std::string ToBase36(uint64_t value, size_t width);

// Joins parts with separator.
std::string JoinStrings(const std::vector<std::string>& parts,
                        const std::string& separator);

}  // namespace gtest_parallel::internal

#endif  // GTEST_PARALLEL_INTERNAL_UTIL_H_
