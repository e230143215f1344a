// Turning outcomes into HTTP answers, in one place (errors are text/plain, as Windmill's).
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "http/message.h"

namespace millrace::api {

// The HTTP status of each kind of error: the one place the domain's errors meet HTTP.
int http_status(ErrorKind kind);

void reply_error(const http::ResponderPtr& r, const Error& e);
void reply_text(const http::ResponderPtr& r, int status, std::string body);
void reply_json(const http::ResponderPtr& r, int status, std::string body);

// The body as a JSON object for API calls that take one (not webhooks). Needs a JSON content
// type (application/json or application/*+json); errors follow Windmill's (axum's) JSON
// extractor: 415, 400, 422.
Result<std::string> json_body_text(const http::Request& req);
// 422: the body is JSON but not of the expected shape (axum's JsonDataError).
Error json_data_error(const std::string& what);

// Page and per_page query parameters (1-based page; per_page default 1000, at most 10000).
struct Paging {
  int64_t limit = 1000;
  int64_t offset = 0;
};
Result<Paging> paging(const http::Request& req);

// Query helpers that fail with a 400 naming the parameter.
Result<std::optional<bool>> query_bool(const http::Request& req, const std::string& name);
Result<std::optional<EpochMs>> query_time(const http::Request& req, const std::string& name);

}  // namespace millrace::api
