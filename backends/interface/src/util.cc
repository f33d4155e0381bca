// Small string, hash and file helpers shared by the backends and the
// runner (util.h).
#include "gtest_parallel/internal/util.h"

#ifdef _WIN32
#include <direct.h>
#else
#include <sys/stat.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gtest_parallel::internal {

Status ReadTextFile(const std::string& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(ErrorCode::kNotFound, "cannot read SQL file '" + path +
                                            "': " + std::strerror(errno));
  }
  // One read of the whole file where its size is known (a regular file).
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size >= 0 && in) {
    contents->resize(static_cast<size_t>(size));
    in.read(contents->data(), size);
    contents->resize(static_cast<size_t>(in.gcount()));
    return Status();
  }
  in.clear();
  std::ostringstream whole;
  whole << in.rdbuf();
  *contents = whole.str();
  return Status();
}

namespace {

// Makes one directory; true if it is there afterwards.
bool MakeDirectory(const std::string& path, unsigned mode) {
#ifdef _WIN32
  (void)mode;  // No modes: a directory inherits its parent's access.
  return _mkdir(path.c_str()) == 0 || errno == EEXIST;
#else
  return mkdir(path.c_str(), static_cast<mode_t>(mode)) == 0 || errno == EEXIST;
#endif
}

// Where a path has a directory to make up to: a separator or its end, but
// not right after a Windows drive ("C:").
bool DirectoryEndsAt(const std::string& path, size_t at) {
#ifdef _WIN32
  if (path[at - 1] == ':') return false;
  if (at < path.size() && path[at] == '\\') return true;
#endif
  return at == path.size() || path[at] == '/';
}

}  // namespace

bool MakeDirectories(const std::string& path, unsigned mode) {
  for (size_t at = 1; at <= path.size(); ++at) {
    if (DirectoryEndsAt(path, at) && !MakeDirectory(path.substr(0, at), mode)) {
      return false;
    }
  }
  return true;
}

namespace {

// Whether text[at..] starts with word, ignoring case.
bool StartsWithAt(const std::string& text, size_t at, const std::string& word) {
  if (at + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) {
      return false;
    }
  }
  return true;
}

// The length of the password form that the keyword value at text[begin..]
// gives, 0 for none: a quoted value (backslash escapes, as libpq writes
// them) that is one of forms as a whole, or an unquoted one that starts
// with one of them (the longest).
size_t PasswordValueLength(const std::string& text, size_t begin,
                           const std::vector<std::string>& forms) {
  if (begin < text.size() && (text[begin] == '\'' || text[begin] == '"')) {
    std::string value;
    size_t at = begin + 1;
    for (; at < text.size() && text[at] != text[begin]; ++at) {
      if (text[at] == '\\' && at + 1 < text.size()) ++at;
      value += text[at];
    }
    const bool matches =
        std::find(forms.begin(), forms.end(), value) != forms.end() &&
        !value.empty();
    return matches ? std::min(at + 1, text.size()) - begin : 0;
  }
  size_t longest = 0;
  for (const std::string& form : forms) {
    if (form.size() > longest && text.compare(begin, form.size(), form) == 0) {
      longest = form.size();
    }
  }
  return longest;
}

}  // namespace

std::string ScrubPassword(std::string text,
                          const std::vector<std::string>& forms) {
  // user:<password>@host in URLs.
  for (const std::string& form : forms) {
    if (form.empty()) continue;
    const std::string token = ":" + form + "@";
    for (size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + 5)) {
      text.replace(at, token.size(), ":***@");
    }
  }
  // password=<password>, PGPASSWORD=..., MYSQL_PWD=...
  for (size_t at = 0; at < text.size(); ++at) {
    size_t begin = std::string::npos;
    if (StartsWithAt(text, at, "password=")) begin = at + 9;
    if (StartsWithAt(text, at, "pwd=")) begin = at + 4;
    if (begin == std::string::npos) continue;
    const size_t length = PasswordValueLength(text, begin, forms);
    if (length > 0) text.replace(begin, length, "***");
    at = begin;
  }
  return text;
}

uint64_t Fnv1a64(const std::string& data, uint64_t hash) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string ToBase36(uint64_t value, size_t width) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[value % 36]);
    value /= 36;
  } while (value != 0);
  if (out.size() < width) out.insert(0, width - out.size(), '0');
  return out;
}

std::string JoinStrings(const std::vector<std::string>& parts,
                        const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace gtest_parallel::internal
