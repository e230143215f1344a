// Errors as values. An Error carries the HTTP status and the exact text the API shows, so the
// place that knows what went wrong decides what the user reads; api/ maps it to a response once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace millrace {

struct Error {
  int status = 500;
  std::string message;

  // The constructors follow Windmill's error prefixes.
  static Error bad_request(const std::string& m) { return {400, "Bad request: " + m}; }
  static Error not_found(const std::string& m) { return {404, "Not found: " + m}; }
  static Error unauthorized(const std::string& m) { return {401, "Not authorized: " + m}; }
  static Error permission_denied(const std::string& m) { return {403, "Permission denied: " + m}; }
  static Error internal(const std::string& m) { return {500, "Internal: " + m}; }
  static Error plain(int status, std::string m) { return {status, std::move(m)}; }
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
