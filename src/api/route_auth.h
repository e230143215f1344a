// Who a call to an HTTP route (/api/r/...) is, before any job exists: the route's
// authentication_method decides. `none`, `api_key`, `basic_http` and `signature` run the job as
// the route's owner (the last to save it), once the request carries what the route's
// authentication resource asks for; `windmill` runs it as the caller, whose token must let
// them read the route. A refused call is 401, counted in metrics, and makes no job.
// (`custom_script` runs a job of its own to decide: route_auth_script.h.)
//
// A route's resource (its `$var:` secrets opened as its owner may read them) is read at most
// every kSettingsTtlMs per route and kept in memory meanwhile: a delivery does not reopen
// (and audit) its secret each time; a changed secret applies within that time.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "auth/identity.h"
#include "common/clock.h"
#include "common/error.h"
#include "http/message.h"
#include "store/http_triggers.h"

namespace millrace::api {

struct ApiContext;

class RouteAuthenticator {
 public:
  static constexpr EpochMs kSettingsTtlMs = 5000;

  struct Route {
    const store::HttpTriggerRecord& trigger;
    std::string method;  // none, windmill, api_key, basic_http, signature
    std::optional<std::string> resource_path;
  };
  struct Caller {
    auth::Identity who;         // whom the job runs as
    std::string secret_header;  // an api_key route's header (lower case): never passed on
    // A signed delivery's own id, which the sender keeps when it retries (GitHub's
    // X-GitHub-Delivery, Stripe's event id, webhook-id, ...): the call's idempotency key.
    std::string delivery_id;
  };
  Result<Caller> authenticate(ApiContext& ctx, const http::Request& req, const Route& route);

 private:
  // The route's resource value with its references resolved, as `owner` reads it.
  Result<std::string> settings(ApiContext& ctx, const auth::Identity& owner, const Route& route);

  struct Cached {
    EpochMs read_at = 0;
    EpochMs trigger_edited_at = 0;
    std::string value;
  };
  std::mutex mutex_;
  std::map<std::string, Cached> cache_;  // by workspace and route path
};

}  // namespace millrace::api
