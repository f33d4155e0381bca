// Splitting SQL scripts into statements, running SQL files with file:line
// errors, and small string helpers shared by the backends.
#include "gtest_parallel/internal/sql_script.h"

#ifdef _WIN32
#include <direct.h>
#else
#include <sys/stat.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gtest_parallel::internal {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)); }

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

bool StartsWithNoCase(const std::string& text, size_t at, const char* word) {
  size_t length = std::strlen(word);
  if (text.size() - at < length) return false;
  for (size_t i = 0; i < length; ++i) {
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) {
      return false;
    }
  }
  return true;
}

// The end (one past) of the quoted text starting at text[begin].
size_t QuotedEnd(const std::string& text, size_t begin, bool backslashes) {
  char quote = text[begin];
  size_t i = begin + 1;
  while (i < text.size()) {
    if (backslashes && text[i] == '\\') {
      i += 2;
    } else if (text[i] == quote) {
      if (i + 1 < text.size() && text[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return text.size();
}

// The end of the block comment at text[begin] ("/*"); nested if asked.
size_t BlockCommentEnd(const std::string& text, size_t begin, bool nested) {
  int depth = 0;
  size_t i = begin;
  while (i + 1 < text.size()) {
    if (text[i] == '/' && text[i + 1] == '*') {
      depth = nested ? depth + 1 : 1;
      i += 2;
    } else if (text[i] == '*' && text[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return text.size();
}

// The end of a PostgreSQL dollar-quoted string at text[begin], or begin
// when the '$' does not open one ($1 parameters, identifiers with '$').
size_t DollarQuotedEnd(const std::string& text, size_t begin) {
  if (begin > 0 && IsIdentifierChar(text[begin - 1])) return begin;
  size_t i = begin + 1;
  if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    return begin;
  }
  while (
      i < text.size() &&
      (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
    ++i;
  }
  if (i >= text.size() || text[i] != '$') return begin;
  std::string tag = text.substr(begin, i - begin + 1);
  size_t close = text.find(tag, i + 1);
  return close == std::string::npos ? text.size() : close + tag.size();
}

int CountNewlines(const std::string& text, size_t begin, size_t end) {
  int count = 0;
  for (size_t i = begin; i < end; ++i) count += text[i] == '\n';
  return count;
}

}  // namespace

std::vector<SqlStatement> SplitSqlScript(const std::string& script,
                                         SqlDialect dialect) {
  const bool mariadb = dialect == SqlDialect::kMariaDb;
  std::vector<SqlStatement> statements;
  std::string delimiter = ";";
  SqlStatement current;
  bool started = false;  // A significant character is in current.
  int line = 1;
  auto flush = [&] {
    while (!current.text.empty() && IsSpace(current.text.back())) {
      current.text.pop_back();
    }
    if (started && !current.text.empty()) statements.push_back(current);
    current = SqlStatement();
    started = false;
  };
  auto start = [&] {
    if (!started) {
      started = true;
      current.line = line;
    }
  };
  // Appends script[begin, end) (quoted text or a comment) as a unit.
  auto append = [&](size_t begin, size_t end) {
    if (started) current.text.append(script, begin, end - begin);
    line += CountNewlines(script, begin, end);
  };

  size_t i = 0;
  while (i < script.size()) {
    char c = script[i];
    char next = i + 1 < script.size() ? script[i + 1] : '\0';
    if (mariadb && !started && StartsWithNoCase(script, i, "delimiter") &&
        i + 9 < script.size() &&
        (script[i + 9] == ' ' || script[i + 9] == '\t')) {
      size_t end = script.find('\n', i);
      if (end == std::string::npos) end = script.size();
      std::string rest = script.substr(i + 9, end - i - 9);
      size_t first = rest.find_first_not_of(" \t\r");
      if (first != std::string::npos) {
        size_t last = rest.find_first_of(" \t\r", first);
        delimiter = rest.substr(first, last - first);
      }
      i = end;
      continue;
    }
    if (script.compare(i, delimiter.size(), delimiter) == 0) {
      flush();
      i += delimiter.size();
      continue;
    }
    if (IsSpace(c)) {
      if (c == '\n') ++line;
      if (started) current.text += c;
      ++i;
      continue;
    }
    bool line_comment =
        (c == '-' && next == '-' &&
         (!mariadb || i + 2 >= script.size() || IsSpace(script[i + 2]))) ||
        (mariadb && c == '#');
    if (line_comment) {
      size_t end = script.find('\n', i);
      if (end == std::string::npos) end = script.size();
      append(i, end);
      i = end;
      continue;
    }
    if (c == '/' && next == '*') {
      bool executable = mariadb && i + 2 < script.size() &&
                        (script[i + 2] == '!' ||
                         (script[i + 2] == 'M' && i + 3 < script.size() &&
                          script[i + 3] == '!'));
      if (executable) start();
      size_t end = BlockCommentEnd(script, i, !mariadb);
      append(i, end);
      i = end;
      continue;
    }
    start();
    size_t end = i;
    if (c == '\'' || c == '"' || (mariadb && c == '`')) {
      bool escape_string = !mariadb && c == '\'' && i > 0 &&
                           (script[i - 1] == 'E' || script[i - 1] == 'e') &&
                           (i < 2 || !IsIdentifierChar(script[i - 2]));
      bool backslashes = (mariadb && c != '`') || escape_string;
      end = QuotedEnd(script, i, backslashes);
    } else if (!mariadb && c == '$') {
      end = DollarQuotedEnd(script, i);
    }
    if (end > i) {
      append(i, end);
      i = end;
    } else {
      current.text += c;
      ++i;
    }
  }
  flush();
  return statements;
}

Status RunSqlFile(const std::string& path, SqlDialect dialect,
                  const StatementRunner& run) {
  std::string script;
  Status status = ReadTextFile(path, &script);
  if (!status.ok()) return status;
  for (const SqlStatement& statement : SplitSqlScript(script, dialect)) {
    int error_line = 0;
    status = run(statement.text, &error_line);
    if (!status.ok()) {
      int line = statement.line + (error_line > 0 ? error_line - 1 : 0);
      return Status(status.code(), path + ":" + std::to_string(line) + ": " +
                                       status.message());
    }
  }
  return Status();
}

Status RunFill(const FillSpec& fill, SqlDialect dialect,
               const StatementRunner& run, Connection& connection) {
  for (const std::string& path : fill.sql_files) {
    Status status = RunSqlFile(path, dialect, run);
    if (!status.ok()) return status;
  }
  return fill.callback ? fill.callback(connection) : Status();
}

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

int LineAtOffset(const std::string& text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  return 1 + CountNewlines(text, 0, offset);
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
