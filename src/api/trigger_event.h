// What a trigger tells the runnable beyond the body: Windmill's preprocessor `event`
// ({"kind": "webhook" | "http", "body", "raw_string", "headers", "query", and for a route
// "route", "path", "method", "params"}) and, for a route's main that declares it, the older
// `wm_trigger` argument. Headers that carry credentials are never in them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "http/message.h"

namespace millrace::api {

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct TriggerRequest {
  const http::Request& req;
  const NameValues& query;  // decoded
  // An HTTP route's call (empty route for a webhook):
  std::string route;          // the route's pattern, `orders/:id`
  std::string path;           // as called, `orders/42`
  NameValues params;          // {id: 42}
  std::string secret_header;  // an API-key route's header (lower case), left out too
};

// The args of a job whose preprocessor runs first: {"event": {...}}. `payload`, when set, is
// the body (the GET webhooks' ?payload=, already decoded to JSON). 400 for a malformed body.
Result<std::string> preprocessor_args(const TriggerRequest& t,
                                      const std::string* payload = nullptr);

// The `wm_trigger` object of a route's call: {"kind": "http", "http": {route, path, method,
// params, query, headers}}, as JSON text.
std::string wm_trigger_json(const TriggerRequest& t);

}  // namespace millrace::api
