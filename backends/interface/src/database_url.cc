// Parsing, printing and redacting database URLs.
#include "gtest_parallel/database_url.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace gtest_parallel {
namespace {

constexpr char kHidden[] = "***";

std::string ToLower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(c));
  return text;
}

std::string CanonicalScheme(const std::string& scheme) {
  if (scheme == "postgres" || scheme == "pgsql") return "postgresql";
  if (scheme == "mysql") return "mariadb";
  if (scheme == "sqlite3") return "sqlite";
  return scheme;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; false on a malformed escape.
bool PercentDecode(const std::string& text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      *out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int high = HexValue(text[i + 1]);
    int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return false;
    *out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

// Escapes everything but unreserved characters (and those in keep).
std::string PercentEncode(const std::string& text, const char* keep = "") {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (c != '\0' &&
         std::string(keep).find(static_cast<char>(c)) != std::string::npos)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool ParsePort(const std::string& text, int* port) {
  if (text.empty() || text.size() > 5) return false;
  int value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 65535) return false;
  *port = value;
  return true;
}

std::string Format(const DatabaseUrl& url, bool hide_password) {
  std::string out = url.scheme + ":";
  if (url.scheme == "sqlite") {
    if (url.database == ":memory:") return out + ":memory:";
    if (!url.database.empty() && url.database[0] == '/') out += "//";
    return out + PercentEncode(url.database, "/");
  }
  out += "//";
  if (!url.user.empty() || !url.password.empty()) {
    out += PercentEncode(url.user);
    if (!url.password.empty()) {
      out += ":";
      out += hide_password ? kHidden : PercentEncode(url.password);
    }
    out += "@";
  }
  if (url.host.find(':') != std::string::npos) {
    out += "[" + url.host + "]";
  } else {
    out += PercentEncode(url.host);
  }
  if (url.port != 0 && url.socket.empty()) {
    out += ":" + std::to_string(url.port);
  }
  out += "/" + PercentEncode(url.database);
  char separator = '?';
  auto add_param = [&](const std::string& key, const std::string& value) {
    out += separator;
    out += PercentEncode(key) + "=" + PercentEncode(value, "/:");
    separator = '&';
  };
  if (!url.socket.empty()) {
    add_param(url.scheme == "postgresql" ? "host" : "socket", url.socket);
    if (url.port != 0) add_param("port", std::to_string(url.port));
  }
  for (const auto& [key, value] : url.params) {
    bool secret = ToLower(key) == "password";
    add_param(key, secret && hide_password ? kHidden : value);
  }
  return out;
}

// The helpers of ParseDatabaseUrl below return what is wrong with the text,
// or an empty string when nothing is.

// Splits text into its scheme (lower case, as written) and the rest.
std::string ParseScheme(const std::string& text, std::string* scheme,
                        std::string* rest) {
  if (text.empty()) return "it is empty";
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) {
    return "no scheme (expected e.g. postgresql://, mariadb:// or "
           "sqlite:)";
  }
  *scheme = ToLower(text.substr(0, colon));
  if (!std::isalpha(static_cast<unsigned char>((*scheme)[0]))) {
    return "the scheme must start with a letter";
  }
  for (char c : *scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' &&
        c != '.') {
      return "the scheme '" + *scheme + "' has invalid characters";
    }
  }
  *rest = text.substr(colon + 1);
  return "";
}

// Removes the query string from *rest and decodes its parameters.
std::string ParseQuery(std::string* rest,
                       std::map<std::string, std::string>* params) {
  size_t question = rest->find('?');
  std::string query;
  if (question != std::string::npos) {
    query = rest->substr(question + 1);
    rest->resize(question);
  }
  size_t begin = 0;
  while (begin < query.size()) {
    size_t end = query.find('&', begin);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(begin, end - begin);
    begin = end + 1;
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    std::string key, value;
    if (!PercentDecode(pair.substr(0, equals), &key) ||
        (equals != std::string::npos &&
         !PercentDecode(pair.substr(equals + 1), &value))) {
      return "a parameter has a malformed %-escape";
    }
    if (key.empty()) return "a parameter has no name";
    (*params)[key] = value;
  }
  return "";
}

// A sqlite URL's path (rest: what follows "sqlite:") and parameters.
std::string ParseSqliteUrl(const std::string& rest,
                           std::map<std::string, std::string> params,
                           DatabaseUrl* url) {
  std::string path = rest;
  if (path.rfind("//", 0) == 0) {
    size_t slash = path.find('/', 2);
    std::string authority = path.substr(2, slash - 2);
    if (authority == ":memory:") {
      path = ":memory:";
    } else if (!authority.empty()) {
      return "a sqlite URL has a path, not a host: use "
             "sqlite:///absolute/path, sqlite:relative/path or "
             "sqlite::memory:";
    } else {
      path = slash == std::string::npos ? "" : path.substr(slash);
    }
  }
  if (!PercentDecode(path, &url->database)) {
    return "the path has a malformed %-escape";
  }
  auto mode = params.find("mode");
  if (mode != params.end() && mode->second == "memory") {
    url->database = ":memory:";
    params.erase(mode);
  }
  url->params = params;
  return "";
}

// The user and password of an authority's "user:password@", if it has one;
// leaves host and port in *authority.
std::string ParseUserInfo(std::string* authority, DatabaseUrl* url) {
  size_t at = authority->rfind('@');
  if (at == std::string::npos) return "";
  std::string userinfo = authority->substr(0, at);
  *authority = authority->substr(at + 1);
  size_t separator = userinfo.find(':');
  if (!PercentDecode(userinfo.substr(0, separator), &url->user) ||
      (separator != std::string::npos &&
       !PercentDecode(userinfo.substr(separator + 1), &url->password))) {
    return "the user or password has a malformed %-escape";
  }
  if (url->user.empty() && !url->password.empty()) {
    return "a password without a user name";
  }
  return "";
}

// The host and port of an authority: host, host:port, [address] or
// [address]:port.
std::string ParseHostAndPort(const std::string& authority, DatabaseUrl* url) {
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return "unclosed '[' in the host";
    url->host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return "unexpected text after ']'";
      port = after.substr(1);
      if (port.empty()) return "an empty port";
    }
  } else {
    size_t port_colon = authority.find(':');
    if (!PercentDecode(authority.substr(0, port_colon), &url->host)) {
      return "the host has a malformed %-escape";
    }
    if (port_colon != std::string::npos) {
      port = authority.substr(port_colon + 1);
      if (port.empty()) return "an empty port";
    }
  }
  if (!port.empty() && !ParsePort(port, &url->port)) {
    return "the port '" + port + "' is not a number from 1 to 65535";
  }
  return "";
}

// A server's parameters: the socket, host and port ones go to their fields
// of *url, the others to url->params.
std::string ApplyServerParams(const std::map<std::string, std::string>& params,
                              DatabaseUrl* url) {
  for (auto& [key, value] : params) {
    if (key == "host" && url->scheme == "postgresql") {
      (!value.empty() && value[0] == '/' ? url->socket : url->host) = value;
    } else if (key == "socket" || key == "unix_socket") {
      url->socket = value;
    } else if (key == "port") {
      if (!ParsePort(value, &url->port)) {
        return "the port '" + value + "' is not a number from 1 to 65535";
      }
    } else {
      url->params[key] = value;
    }
  }
  return "";
}

// A server URL's parts (rest: what follows "<scheme>:").
std::string ParseServerUrl(const std::string& scheme, std::string rest,
                           const std::map<std::string, std::string>& params,
                           DatabaseUrl* url) {
  if (rest.rfind("//", 0) != 0) {
    return "expected '//' after '" + scheme + ":'";
  }
  rest = rest.substr(2);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) {
    if (!PercentDecode(rest.substr(slash + 1), &url->database)) {
      return "the database name has a malformed %-escape";
    }
    if (url->database.find('/') != std::string::npos) {
      return "the database name contains '/'";
    }
  }
  std::string why = ParseUserInfo(&authority, url);
  if (why.empty()) why = ParseHostAndPort(authority, url);
  if (why.empty()) why = ApplyServerParams(params, url);
  return why;
}

// Parses text into *url (freshly constructed).
std::string ParseUrlParts(const std::string& text, DatabaseUrl* url) {
  std::string scheme, rest;
  std::string why = ParseScheme(text, &scheme, &rest);
  if (!why.empty()) return why;
  url->scheme = CanonicalScheme(scheme);
  std::map<std::string, std::string> params;
  why = ParseQuery(&rest, &params);
  if (!why.empty()) return why;
  if (url->scheme == "sqlite") return ParseSqliteUrl(rest, params, url);
  return ParseServerUrl(scheme, rest, params, url);
}

}  // namespace

std::string DatabaseUrl::ToString() const { return Format(*this, false); }

std::string DatabaseUrl::Redacted() const { return Format(*this, true); }

std::string RedactUrlText(const std::string& text) {
  std::string out = text;
  // user:password@ after "://", or after the scheme of a text that is a
  // URL missing its "//" (up to the last '@', so that an unescaped '@' in
  // the password is hidden too).
  size_t start = out.find("://");
  if (start != std::string::npos) {
    start += 3;
  } else if (!out.empty() && std::isalpha(static_cast<unsigned char>(out[0]))) {
    start = out.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
    start = start != std::string::npos && out[start] == ':' ? start + 1
                                                            : std::string::npos;
  }
  if (start != std::string::npos) {
    size_t at = out.rfind('@');
    size_t colon = out.find(':', start);
    if (at != std::string::npos && at > start && colon != std::string::npos &&
        colon < at) {
      out.replace(colon + 1, at - colon - 1, kHidden);
    }
  }
  // password=... as a URL parameter or a conninfo keyword.
  std::string lower = ToLower(out);
  for (size_t pos = lower.find("password="); pos != std::string::npos;
       pos = lower.find("password=", pos + 1)) {
    size_t begin = pos + 9;
    size_t end;
    if (begin < out.size() && out[begin] == '\'') {
      end = begin + 1;
      while (end < out.size() && out[end] != '\'')
        end += out[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, out.size());
    } else {
      end = out.find_first_of("& \t\n", begin);
      if (end == std::string::npos) end = out.size();
    }
    out.replace(begin, end - begin, kHidden);
    lower = ToLower(out);
  }
  return out;
}

Status ParseDatabaseUrl(const std::string& text, DatabaseUrl* url) {
  *url = DatabaseUrl();
  std::string why = ParseUrlParts(text, url);
  if (why.empty()) return Status();
  return Status(ErrorCode::kMalformedUrl,
                "malformed database URL '" + RedactUrlText(text) + "': " + why);
}

}  // namespace gtest_parallel
