// Webhook request → job arguments. Pure: no I/O, unit-tested as a table.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace millrace::api {

struct RunArgsRequest {
  const std::string* content_type = nullptr;  // the header, if any
  const std::string* body = nullptr;
  // Decoded query parameters and lower-case request headers.
  const std::vector<std::pair<std::string, std::string>>* query = nullptr;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string global_include_headers;  // INCLUDE_HEADERS
  // An HTTP route's own settings; a webhook's caller asks with ?wrap_body=true and ?raw=true.
  bool wrap_body = false;
  bool raw_string = false;
};

// The job's args as JSON object text. A plain JSON object body with no extras is returned as
// sent (validated, not rebuilt). Fails with 400 `Bad request: …` on a malformed body.
Result<std::string> build_run_args(const RunArgsRequest& req);

// Headers that carry a caller's credentials (authorization, cookie, x-api-key,
// proxy-authorization): include_header may not copy them into a job's arguments.
bool is_credential_header(std::string_view lower_name);

// `?payload=` of the GET sync webhooks: base64 (either alphabet) of a JSON object.
Result<std::string> args_from_payload(const std::string& payload);

}  // namespace millrace::api
