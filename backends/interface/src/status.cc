// Status and error code names.
#include "gtest_parallel/status.h"

#include <utility>

namespace gtest_parallel {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "ok";
    case ErrorCode::kMalformedUrl:
      return "malformed URL";
    case ErrorCode::kUnreachable:
      return "server unreachable";
    case ErrorCode::kAuthentication:
      return "authentication failed";
    case ErrorCode::kPermissionDenied:
      return "permission denied";
    case ErrorCode::kTemplateInUse:
      return "template in use";
    case ErrorCode::kSqlError:
      return "SQL error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kVerifyFailed:
      return "verification failed";
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kInternal:
      return "internal error";
    case ErrorCode::kUnimplemented:
      return "unimplemented";
  }
  return "unknown error";
}

Status::Status(ErrorCode code, std::string message)
    : code_(code), message_(std::move(message)) {}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace gtest_parallel
