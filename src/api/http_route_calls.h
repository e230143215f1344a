// Where a third-party sender's call enters: /api/r/<route> (a workspaced route:
// /api/r/<workspace>/<route>) runs the script or flow of the HTTP route that answers it.
// match the route → keep the delivery (route_deliveries.h) → authenticate (route_auth.h) →
// resolve the runnable → build the args → back-pressure and idempotency → enqueue durably →
// answer as the route says: 201 with the job id, the result, or a stream.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/context.h"
#include "api/route_auth.h"
#include "http/message.h"
#include "store/http_triggers.h"
#include "triggers/rate_limiter.h"

namespace millrace::api {

class RecordedDelivery;

// What a route's settings say of its calls.
struct RouteSettings {
  std::string script_path;
  bool is_flow = false;
  std::string authentication_method = "none";
  std::optional<std::string> resource_path;
  std::string request_type = "sync";  // sync, async, sync_sse
  bool wrap_body = false;
  bool raw_string = false;
  triggers::RateLimit rate;            // none unless rate_limit_per_second
  std::optional<int64_t> queue_limit;  // its runnable's jobs that may wait
};
RouteSettings read_route_settings(const store::HttpTriggerRecord& t);

// A call that passed its route's authentication, or the replay of one.
struct RouteCall {
  const store::HttpTriggerRecord& trigger;
  const RouteSettings& settings;
  std::vector<std::pair<std::string, std::string>> params;  // the route's :names
  RouteAuthenticator::Caller caller;
  std::string route;  // the path called, after /api/r/
  // A replay of a kept delivery: a new job whatever its key, no rate limit, answered 201.
  std::optional<std::string> replay_of;
  std::shared_ptr<RecordedDelivery> delivery;  // told the job it makes, when kept
};

// From the runnable on: its job made and the call answered.
void run_route_call(ApiContext& ctx, http::Request& req, const http::ResponderPtr& r,
                    RouteCall call);

}  // namespace millrace::api
