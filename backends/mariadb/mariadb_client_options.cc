// Connection strings and option files of MariaDB clients (see
// mariadb_client_options.h).
#include "mariadb_client_options.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>

namespace gtest_parallel::internal {
namespace {

namespace fs = std::filesystem;

constexpr char kOptionFileName[] = "my.cnf";

// True when Connector/C's parser would not read value back as written.
bool NeedsBraces(const std::string& value) {
  for (char c : value) {
    if (c == ';' || c == '=' || c == '{' || c == '}' ||
        std::isspace(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

// value double-quoted for an option file.
std::string OptionValue(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void AppendGroup(const std::string& group, const OptionPairs& pairs,
                 std::string* text) {
  *text += "[" + group + "]\n";
  for (const auto& [key, value] : pairs) {
    if (!value.empty()) *text += key + "=" + OptionValue(value) + "\n";
  }
}

}  // namespace

std::string ConnectorConnectionString(const OptionPairs& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (value.empty()) continue;
    if (!out.empty()) out += ';';
    out += key + '=';
    if (!NeedsBraces(value)) {
      out += value;
      continue;
    }
    out += '{';
    for (char c : value) {
      out += c;
      if (c == '}') out += '}';
    }
    out += '}';
  }
  return out;
}

std::string OptionFileText(const OptionPairs& client, const OptionPairs& cli) {
  std::string text =
      "# Written by gtest_parallel: the database of this test process.\n";
  AppendGroup("client", client, &text);
  AppendGroup("mariadb-client", cli, &text);
  return text;
}

Status WriteOptionFile(const std::string& directory, const std::string& text) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (!error) fs::permissions(directory, fs::perms::owner_all, error);
  if (error) {
    return Status(ErrorCode::kInternal, "cannot make directory " + directory +
                                            ": " + error.message());
  }
  const fs::path file = fs::path(directory) / kOptionFileName;
  fs::path temporary = file;
  temporary += "." + std::to_string(std::random_device()());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write,
                    error);
    out << text;
    out.close();
    if (!out || error) {
      fs::remove(temporary, error);
      return Status(ErrorCode::kInternal, "cannot write " + temporary.string());
    }
  }
  fs::rename(temporary, file, error);
  if (error) {
    fs::remove(temporary, error);
    return Status(ErrorCode::kInternal,
                  "cannot write " + file.string() + ": " + error.message());
  }
  return Status();
}

void RemoveOptionFile(const std::string& directory) {
  std::error_code ignored;
  fs::remove(fs::path(directory) / kOptionFileName, ignored);
  fs::remove(directory, ignored);  // Only if empty.
}

}  // namespace gtest_parallel::internal
