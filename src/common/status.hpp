#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace govshare::common {

/// The kind of a failure. Each kind maps to exactly one HTTP status (see http/problem.cpp); the finer, stable
/// machine-readable reason travels in Status::code().
enum class ErrorKind {
  kOk,
  kInvalidArgument,   // 400: the request is malformed or a value is invalid
  kUnauthenticated,   // 401
  kForbidden,         // 403
  kNotFound,          // 404
  kMethodNotAllowed,  // 405
  kConflict,          // 409: state or version conflict, duplicate
  kPayloadTooLarge,   // 413
  kUnsupportedMedia,  // 415
  kUnprocessable,     // 422: well-formed but breaks a business rule
  kLocked,            // 423: account locked
  kTooManyRequests,   // 429
  kInternal,          // 500
  kUnavailable,       // 503: a dependency (storage, audit) cannot take the write: fail closed
  kBadGateway,        // 502: a provider's interface failed (logical access)
  kGatewayTimeout,    // 504: a provider's interface did not answer in time
};

/// The outcome of an operation that can fail in an expected way. Cheap to copy when ok.
/// `code` is a stable snake_case identifier clients may switch on; `message` is for people; `field` names the input
/// field at fault (JSON pointer style, e.g. "/credit_code"), if any.
class Status {
 public:
  Status() = default;
  Status(ErrorKind kind, std::string code, std::string message, std::string field = {})
      : kind_(kind), code_(std::move(code)), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kInvalidArgument, std::move(code), std::move(message), std::move(field)};
  }
  static Status Unprocessable(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kUnprocessable, std::move(code), std::move(message), std::move(field)};
  }
  static Status NotFound(std::string message) { return {ErrorKind::kNotFound, "not_found", std::move(message)}; }
  static Status Conflict(std::string code, std::string message, std::string field = {}) {
    return {ErrorKind::kConflict, std::move(code), std::move(message), std::move(field)};
  }
  static Status Forbidden(std::string message) { return {ErrorKind::kForbidden, "forbidden", std::move(message)}; }
  static Status Unauthenticated(std::string code, std::string message) {
    return {ErrorKind::kUnauthenticated, std::move(code), std::move(message)};
  }
  static Status Internal(std::string message) { return {ErrorKind::kInternal, "internal", std::move(message)}; }
  static Status BadGateway(std::string code, std::string message) {
    return {ErrorKind::kBadGateway, std::move(code), std::move(message)};
  }
  static Status GatewayTimeout(std::string code, std::string message) {
    return {ErrorKind::kGatewayTimeout, std::move(code), std::move(message)};
  }
  static Status Unavailable(std::string code, std::string message) {
    return {ErrorKind::kUnavailable, std::move(code), std::move(message)};
  }

  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  std::string ToString() const { return ok() ? "ok" : code_ + ": " + message_ + (field_.empty() ? "" : " @" + field_); }

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string code_;
  std::string message_;
  std::string field_;
};

/// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor): return values read naturally
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace govshare::common

#define GOVSHARE_RETURN_IF_ERROR(expr)       \
  do {                                       \
    auto _gs_status = (expr);                \
    if (!_gs_status.ok()) return _gs_status; \
  } while (0)
