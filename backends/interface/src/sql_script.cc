// Splitting SQL scripts into statements and running SQL files with
// file:line errors (sql_script.h).
#include "gtest_parallel/internal/sql_script.h"

#include <algorithm>
#include <cctype>
#include <cstring>

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

int LineAtOffset(const std::string& text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  return 1 + CountNewlines(text, 0, offset);
}

}  // namespace gtest_parallel::internal
