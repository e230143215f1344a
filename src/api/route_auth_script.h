// `custom_script` authentication of an HTTP route: the script at the route's
// authentication_resource_path is run first, as the route's owner, with the whole request —
// `main(request)`, where request is {method, route, path, params, query, headers, body} with
// every header, credentials included, since checking them is its purpose — and it answers
// `true` or {"allow": true} to let the call through; anything else, a failure, or no answer
// within kTimeoutS is a refusal (401; 503 for the timeout), and the call makes no job of its
// runnable. Its job is the owner's, and shows in their runs.
#pragma once

#include <memory>

#include "api/context.h"
#include "api/http_route_calls.h"
#include "api/route_deliveries.h"
#include "http/message.h"

namespace millrace::api {

inline constexpr int64_t kCustomAuthTimeoutS = 10;

// Runs the check, then the call (run_route_call) if it allowed it. `req` is kept until then.
void authenticate_by_script(ApiContext& ctx, std::shared_ptr<http::Request> req,
                            store::HttpTriggerRecord trigger, RouteSettings settings,
                            std::vector<std::pair<std::string, std::string>> params,
                            std::string route, std::shared_ptr<RecordedDelivery> delivery);

}  // namespace millrace::api
