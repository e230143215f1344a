// What a sync webhook answers once its job is done: 200 with the result, 422
// with the error, or the status, headers and body a result object asks for through
// windmill_status_code / windmill_content_type / windmill_headers (or their wm_ aliases).
// A job's answer is served on the app's own origin, so it may not act for the app: a raw body
// (any content type but JSON) is sandboxed (`Content-Security-Policy: sandbox`: no script, a
// unique origin; `X-Content-Type-Options: nosniff`) unless the instance opts out
// (RAW_RESULT_CSP=off), and windmill_headers may not set cookies, security or CORS headers,
// hop-by-hop headers, or a Location on another origin (400, and the server logs it).
#pragma once

#include <string>

#include "http/message.h"
#include "queue/job_queue.h"

namespace millrace::api {

struct SyncResponseOptions {
  bool sandbox_raw_bodies = true;  // RAW_RESULT_CSP
  std::string origin;              // the server's (scheme://host[:port]), for Location
};

http::Response sync_response(const queue::JobCompletion& done,
                             const SyncResponseOptions& options = {});

// Why a job may not set this response header (empty when it may): `lower_name` in lower case.
std::string refused_result_header(const std::string& lower_name, const std::string& value,
                                  const std::string& origin);

}  // namespace millrace::api
