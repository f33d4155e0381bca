// Splitting SQL scripts into statements and running SQL files with
// file:line errors (sql_script.h).
#include "gtest_parallel/internal/sql_script.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

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

// Splits one script into statements, scanning it once from the start.
class ScriptSplitter {
 public:
  ScriptSplitter(const std::string& script, SqlDialect dialect)
      : script_(script), mariadb_(dialect == SqlDialect::kMariaDb) {}

  // The statements of the whole script.
  std::vector<SqlStatement> Split() {
    while (i_ < script_.size()) {
      if (SkipDelimiterCommand() || SkipDelimiter() || TakeSpace() ||
          TakeComment()) {
        continue;
      }
      TakeToken();
    }
    Flush();
    return std::move(statements_);
  }

 private:
  // Ends the current statement (trailing space dropped), keeping it if it
  // has a significant character.
  void Flush() {
    while (!current_.text.empty() && IsSpace(current_.text.back())) {
      current_.text.pop_back();
    }
    if (started_ && !current_.text.empty()) statements_.push_back(current_);
    current_ = SqlStatement();
    started_ = false;
  }

  // Marks the current statement as started on the current line.
  void Start() {
    if (!started_) {
      started_ = true;
      current_.line = line_;
    }
  }

  // Appends script_[begin, end) (quoted text or a comment) as a unit and
  // moves past it.
  void Append(size_t begin, size_t end) {
    if (started_) current_.text.append(script_, begin, end - begin);
    line_ += CountNewlines(script_, begin, end);
    i_ = end;
  }

  // MariaDB's client command "DELIMITER <text>" at the start of a
  // statement: takes the new delimiter and skips the line.
  bool SkipDelimiterCommand() {
    if (!mariadb_ || started_ || !StartsWithNoCase(script_, i_, "delimiter") ||
        i_ + 9 >= script_.size() ||
        (script_[i_ + 9] != ' ' && script_[i_ + 9] != '\t')) {
      return false;
    }
    size_t end = script_.find('\n', i_);
    if (end == std::string::npos) end = script_.size();
    std::string rest = script_.substr(i_ + 9, end - i_ - 9);
    size_t first = rest.find_first_not_of(" \t\r");
    if (first != std::string::npos) {
      size_t last = rest.find_first_of(" \t\r", first);
      delimiter_ = rest.substr(first, last - first);
    }
    i_ = end;
    return true;
  }

  // The delimiter: ends the current statement.
  bool SkipDelimiter() {
    if (script_.compare(i_, delimiter_.size(), delimiter_) != 0) return false;
    Flush();
    i_ += delimiter_.size();
    return true;
  }

  // White space, kept inside a statement.
  bool TakeSpace() {
    char c = script_[i_];
    if (!IsSpace(c)) return false;
    if (c == '\n') ++line_;
    if (started_) current_.text += c;
    ++i_;
    return true;
  }

  // A line or block comment; MariaDB's executable comments (/*! and /*M!)
  // start a statement.
  bool TakeComment() {
    char c = script_[i_];
    char next = i_ + 1 < script_.size() ? script_[i_ + 1] : '\0';
    bool line_comment =
        (c == '-' && next == '-' &&
         (!mariadb_ || i_ + 2 >= script_.size() || IsSpace(script_[i_ + 2]))) ||
        (mariadb_ && c == '#');
    if (line_comment) {
      size_t end = script_.find('\n', i_);
      Append(i_, end == std::string::npos ? script_.size() : end);
      return true;
    }
    if (c != '/' || next != '*') return false;
    bool executable = mariadb_ && i_ + 2 < script_.size() &&
                      (script_[i_ + 2] == '!' ||
                       (script_[i_ + 2] == 'M' && i_ + 3 < script_.size() &&
                        script_[i_ + 3] == '!'));
    if (executable) Start();
    Append(i_, BlockCommentEnd(script_, i_, !mariadb_));
    return true;
  }

  // Quoted text as a unit, or else one character.
  void TakeToken() {
    char c = script_[i_];
    Start();
    size_t end = i_;
    if (c == '\'' || c == '"' || (mariadb_ && c == '`')) {
      bool escape_string = !mariadb_ && c == '\'' && i_ > 0 &&
                           (script_[i_ - 1] == 'E' || script_[i_ - 1] == 'e') &&
                           (i_ < 2 || !IsIdentifierChar(script_[i_ - 2]));
      bool backslashes = (mariadb_ && c != '`') || escape_string;
      end = QuotedEnd(script_, i_, backslashes);
    } else if (!mariadb_ && c == '$') {
      end = DollarQuotedEnd(script_, i_);
    }
    if (end > i_) {
      Append(i_, end);
    } else {
      current_.text += c;
      ++i_;
    }
  }

  const std::string& script_;
  const bool mariadb_;
  std::vector<SqlStatement> statements_;
  std::string delimiter_ = ";";
  SqlStatement current_;
  bool started_ = false;  // A significant character is in current_.
  int line_ = 1;
  size_t i_ = 0;  // The scan position in script_.
};

}  // namespace

std::vector<SqlStatement> SplitSqlScript(const std::string& script,
                                         SqlDialect dialect) {
  return ScriptSplitter(script, dialect).Split();
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
