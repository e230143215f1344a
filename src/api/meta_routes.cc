// What operators and tools read about the server itself: GET /metrics (Prometheus) and
// GET /api/openapi.yaml (this API, described).
#include "api/openapi_document.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/scopes.h"
#include "auth/token.h"
#include "metrics/registry.h"
#include "queue/job_queue.h"

namespace millrace::api {
namespace {

// Who may read the metrics: a client at an address of METRICS_ALLOW, the METRICS_TOKEN, or a
// superadmin's unscoped token. 401 without a token, 403 for anyone else's.
Status may_read_metrics(ApiContext& ctx, const http::Request& req) {
  if (ctx.metrics_allow.allows(req.remote)) return Status::ok();
  auto token = request_token(req);
  if (!token) return Error::of(ErrorKind::Unauthorized, "Unauthorized");
  if (!ctx.config.metrics_token.empty() &&
      auth::constant_time_equal(token->value, ctx.config.metrics_token)) {
    return Status::ok();
  }
  auto who = ctx.auth.authenticate(token->value, std::nullopt);
  if (!who) return who.error();
  if (!who->super_admin || !auth::is_unscoped(who->scopes)) {
    return Error::permission_denied(
        "metrics are read by a superadmin, with METRICS_TOKEN, or from a METRICS_ALLOW address");
  }
  return Status::ok();
}

void get_metrics(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  if (auto s = may_read_metrics(ctx, req); !s) return reply_error(r, s.error());
  // The queue's depth is read when asked: the database is the truth for every node.
  static auto& depth_gauges = metrics::registry().gauges(
      "millrace_queue_jobs",
      "Unfinished jobs of all nodes, by state (ready, scheduled, running, flow)");
  auto depth = ctx.queue.depth();
  if (!depth) return reply_error(r, depth.error());
  depth_gauges.gauge({{"state", "ready"}}).set(depth->ready);
  depth_gauges.gauge({{"state", "scheduled"}}).set(depth->scheduled);
  depth_gauges.gauge({{"state", "running"}}).set(depth->running);
  depth_gauges.gauge({{"state", "flow"}}).set(depth->flows);
  http::Response res;
  res.status = 200;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = metrics::registry().render();
  r->send(std::move(res));
}

}  // namespace

void add_meta_routes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/metrics", bind_handler(ctx, get_metrics));
  router.add("GET", "/api/openapi.yaml", [](http::Request&, http::ResponderPtr r) {
    http::Response res;
    res.content_type = "application/yaml";
    res.body = kOpenApiYaml;
    r->send(std::move(res));
  });
}

}  // namespace millrace::api
