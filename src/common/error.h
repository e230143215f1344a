// Errors as values. An Error says what kind of failure it is, in the domain's words, and carries
// the exact text the API shows, so the place that knows what went wrong decides what the user
// reads; api/replies.cc gives each kind its HTTP status, once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace millrace {

enum class ErrorKind {
  Invalid,           // the request or the data it names is wrong (400)
  Unauthorized,      // no credentials, or ones that are not valid (401)
  Forbidden,         // valid credentials that do not allow this (403)
  NotFound,          // (404)
  Conflict,          // the state changed under the caller (409)
  TooLarge,          // over a size limit (413)
  UnsupportedMedia,  // the body is not of a type this call reads (415)
  Unprocessable,     // well-formed, but not of the expected shape (422)
  Internal,          // a fault of the server or its store (500)
  Unavailable,       // refused for now: try again later (503)
};

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;

  // The constructors follow Windmill's error prefixes.
  static Error bad_request(const std::string& m) {
    return {ErrorKind::Invalid, "Bad request: " + m};
  }
  static Error not_found(const std::string& m) { return {ErrorKind::NotFound, "Not found: " + m}; }
  static Error unauthorized(const std::string& m) {
    return {ErrorKind::Unauthorized, "Not authorized: " + m};
  }
  static Error permission_denied(const std::string& m) {
    return {ErrorKind::Forbidden, "Permission denied: " + m};
  }
  static Error internal(const std::string& m) { return {ErrorKind::Internal, "Internal: " + m}; }
  // The text as given, without a prefix.
  static Error of(ErrorKind kind, std::string m) { return {kind, std::move(m)}; }

  // A fault of the server or a refusal for now, not of the request.
  bool server_side() const { return kind == ErrorKind::Internal || kind == ErrorKind::Unavailable; }
};

// Status: success or an Error.
class Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT: implicit by design
  static Status ok() { return {}; }
  bool is_ok() const { return !error_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

// Result<T>: a value or an Error.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT
  Result(Error e) : v_(std::move(e)) {}      // NOLINT
  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Status status() const { return is_ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace millrace

// Returns the error of a Status or Result expression from the enclosing function.
#define MR_TRY(expr)                            \
  do {                                          \
    auto mr_status_ = (expr);                   \
    if (!mr_status_) return mr_status_.error(); \
  } while (0)
