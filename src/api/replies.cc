#include "api/replies.h"

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "common/strings.h"

namespace millrace::api {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Invalid:
      return 400;
    case ErrorKind::Unauthorized:
      return 401;
    case ErrorKind::Forbidden:
      return 403;
    case ErrorKind::NotFound:
      return 404;
    case ErrorKind::Conflict:
      return 409;
    case ErrorKind::TooLarge:
      return 413;
    case ErrorKind::UnsupportedMedia:
      return 415;
    case ErrorKind::Unprocessable:
      return 422;
    case ErrorKind::Internal:
      return 500;
    case ErrorKind::Unavailable:
      return 503;
  }
  return 500;
}

void reply_error(const http::ResponderPtr& r, const Error& e) {
  r->send(http::Response::text(http_status(e.kind), e.message));
}

void reply_text(const http::ResponderPtr& r, int status, std::string body) {
  r->send(http::Response::text(status, std::move(body)));
}

void reply_json(const http::ResponderPtr& r, int status, std::string body) {
  r->send(http::Response::json(status, std::move(body)));
}

Result<std::string> json_body_text(const http::Request& req) {
  const std::string* ct = req.header("content-type");
  std::string type = ct ? to_lower(trim(ct->substr(0, ct->find(';')))) : "";
  bool json_type =
      type == "application/json" || (starts_with(type, "application/") && type.size() > 5 &&
                                     type.substr(type.size() - 5) == "+json");
  if (!json_type)
    return Error::of(ErrorKind::UnsupportedMedia,
                     "Expected request with `Content-Type: application/json`");
  if (starts_with_bom(req.body)) {
    return Error::of(ErrorKind::Invalid,
                     "Failed to parse the request body as JSON: a byte-order mark is not JSON");
  }
  if (!json_depth_within(req.body, kMaxRequestJsonDepth)) {
    return Error::of(ErrorKind::Invalid,
                     "Failed to parse the request body as JSON: recursion limit exceeded");
  }
  if (!nlohmann::json::accept(req.body)) {
    return Error::of(ErrorKind::Invalid,
                     "Failed to parse the request body as JSON: " + json_error_detail(req.body));
  }
  return req.body;
}

Error json_data_error(const std::string& what) {
  return Error::of(ErrorKind::Unprocessable,
                   "Failed to deserialize the JSON body into the target type: " + what);
}

Result<Paging> paging(const http::Request& req) {
  Paging p;
  int64_t page = 1;
  auto parse = [&](const char* name, int64_t& out, int64_t lo, int64_t hi) -> Status {
    auto v = req.query_param(name);
    if (!v) return Status::ok();
    auto n = parse_int64(*v);
    if (!n || *n < lo) return Error::bad_request("invalid " + std::string(name) + ": " + *v);
    out = std::min<int64_t>(*n, hi);
    return Status::ok();
  };
  if (auto s = parse("per_page", p.limit, 1, 10000); !s) return s.error();
  if (auto s = parse("page", page, 1, 1000000000); !s) return s.error();
  p.offset = (page - 1) * p.limit;
  return p;
}

Result<std::optional<bool>> query_bool(const http::Request& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<bool>();
  if (*v == "true" || *v == "1") return std::optional<bool>(true);
  if (*v == "false" || *v == "0") return std::optional<bool>(false);
  return Error::bad_request("invalid " + name + ": expected true or false, got " + *v);
}

Result<std::optional<EpochMs>> query_time(const http::Request& req, const std::string& name) {
  auto v = req.query_param(name);
  if (!v) return std::optional<EpochMs>();
  auto t = parse_rfc3339(*v);
  if (!t)
    return Error::bad_request("invalid " + name + ": expected an RFC 3339 date-time, got " + *v);
  return std::optional<EpochMs>(*t);
}

}  // namespace millrace::api
