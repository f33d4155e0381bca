// Status: the result of a backend operation, an error code and a message
// meant for people. Messages never contain a password.
#ifndef GTEST_PARALLEL_STATUS_H_
#define GTEST_PARALLEL_STATUS_H_

#include <string>

namespace gtest_parallel {

// What went wrong, coarse enough for a caller to react to.
enum class ErrorCode {
  kOk = 0,
  kMalformedUrl,      // A database URL that does not parse.
  kUnreachable,       // No server answered, within the connect timeout.
  kAuthentication,    // The server refused the user name or password.
  kPermissionDenied,  // The user lacks a privilege, e.g. to create databases.
  kTemplateInUse,     // Other sessions use the template being cloned.
  kSqlError,          // A statement failed (schema files: with file:line).
  kNotFound,          // No such database, file or backend.
  kAlreadyExists,     // The database to create exists already.
  kVerifyFailed,      // A clone differs from its template.
  kInvalidArgument,   // A bad name, worker number or option.
  kInternal,          // Anything else: I/O errors, client library failures.
  kUnimplemented,     // The backend does not offer the operation.
};

// The name of an error code for messages ("template in use", ...).
const char* ErrorCodeName(ErrorCode code);

// The outcome of an operation: ok, or an error code with a message.
class Status {
 public:
  // An ok status.
  Status() = default;
  // An error (or ok, for ErrorCode::kOk) with its message.
  Status(ErrorCode code, std::string message);

  // True when the operation succeeded.
  bool ok() const { return code_ == ErrorCode::kOk; }
  // The error code, kOk on success.
  ErrorCode code() const { return code_; }
  // What happened, for people; empty on success.
  const std::string& message() const { return message_; }
  // "ok", or "<code name>: <message>".
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

}  // namespace gtest_parallel

#endif  // GTEST_PARALLEL_STATUS_H_
