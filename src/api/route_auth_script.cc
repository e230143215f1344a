#include "api/route_auth_script.h"

#include <atomic>
#include <chrono>

#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "api/request_auth.h"
#include "api/runnable.h"
#include "auth/authenticator.h"
#include "common/strings.h"
#include "common/timer_queue.h"
#include "queue/job_queue.h"
#include "queue/new_job.h"

namespace millrace::api {
namespace {

using nlohmann::json;

// What the check and the call it decides share until one of them answers.
struct ScriptCheck {
  std::shared_ptr<http::Request> req;
  store::HttpTriggerRecord trigger;
  RouteSettings settings;
  std::vector<std::pair<std::string, std::string>> params;
  std::string route;
  std::shared_ptr<RecordedDelivery> delivery;
  auth::Identity owner;
  std::atomic<bool> decided{false};
  std::atomic<uint64_t> timer{0};
  uint64_t waiter = 0;
};

json request_json(const ScriptCheck& c) {
  json headers = json::object();
  for (const auto& [k, v] : c.req->headers) headers[k] = v;
  json params = json::object();
  for (const auto& [k, v] : c.params) params[k] = v;
  std::vector<std::pair<std::string, std::string>> query;
  json q = json::object();
  if (c.req->query_params(query)) {
    for (const auto& [k, v] : query) q[k] = v;
  }
  return {{"method", to_lower(c.req->method)},
          {"route", c.trigger.route_path},
          {"path", c.route},
          {"params", std::move(params)},
          {"query", std::move(q)},
          {"headers", std::move(headers)},
          {"body", is_valid_utf8(c.req->body) ? c.req->body : std::string()}};
}

// Whether the script let the call through, and why not when it did not.
bool allowed(const queue::JobCompletion& done, std::string& why) {
  if (!done.success()) {
    why = "the route's authentication script failed";
    return false;
  }
  json result = json::parse(done.result_json, nullptr, false);
  if (result == true) return true;
  if (result.is_object() && result.value("allow", json()) == true) return true;
  why = result.is_object() && result.contains("reason") && result["reason"].is_string()
            ? result["reason"].get<std::string>()
            : "the route's authentication script refused the call";
  return false;
}

}  // namespace

void authenticate_by_script(ApiContext& ctx, std::shared_ptr<http::Request> req,
                            store::HttpTriggerRecord trigger, RouteSettings settings,
                            std::vector<std::pair<std::string, std::string>> params,
                            std::string route, std::shared_ptr<RecordedDelivery> delivery) {
  const std::string ws = trigger.workspace_id;
  auto owner = ctx.auth.member_identity(trigger.email, ws);
  if (!owner) {
    return reply_error(delivery,
                       Error::internal("this route's authentication is not configured correctly"));
  }
  const std::string script_path = settings.resource_path.value_or("");
  auto script = resolve_runnable(ctx, ws, RunTarget::kPath, script_path);
  if (!script || script->is_flow()) {
    return reply_error(delivery,
                       Error::internal("this route's authentication is not configured correctly"));
  }
  auto check = std::make_shared<ScriptCheck>();
  check->req = std::move(req);
  check->trigger = std::move(trigger);
  check->settings = std::move(settings);
  check->params = std::move(params);
  check->route = std::move(route);
  check->delivery = std::move(delivery);
  check->owner = std::move(*owner);

  const EpochMs now = ctx.clock.now_ms();
  queue::JobRequest request;
  request.origin = caller_origin(check->owner, ws);
  request.origin.trigger = TriggerKind::Http;  // its arguments are the sender's: literal
  request.args_json =
      json{{"request", request_json(*check)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  request.scheduled_for = now;
  request.timeout_s = kCustomAuthTimeoutS;
  set_job_target(request, *script);
  queue::NewJob job = queue::make_job(std::move(request), now);
  const std::string job_id = job.job.id;

  auto decide = [&ctx, check](const queue::JobCompletion& done) {
    if (check->decided.exchange(true)) return;
    if (uint64_t t = check->timer.load()) ctx.timers.cancel(t);
    std::string why;
    if (!allowed(done, why)) return reply_error(check->delivery, Error::unauthorized(why));
    // Off the writer thread, whose callback this is: the call reads and enqueues.
    ctx.timers.schedule(std::chrono::milliseconds(0), [&ctx, check] {
      check->delivery->verified();
      run_route_call(ctx, *check->req, check->delivery,
                     {check->trigger,
                      check->settings,
                      std::move(check->params),
                      {check->owner, {}, {}},
                      check->route,
                      std::nullopt,
                      check->delivery});
    });
  };
  check->waiter = ctx.queue.enqueue(
      std::move(job),
      [&ctx, check, job_id](const Status& s) {
        if (!s) {
          if (!check->decided.exchange(true)) reply_error(check->delivery, s.error());
          return;
        }
        check->timer = ctx.timers.schedule(std::chrono::seconds(kCustomAuthTimeoutS), [&ctx, check,
                                                                                       job_id] {
          if (check->decided.exchange(true)) return;
          ctx.queue.forget_waiter(job_id, check->waiter);
          (void)ctx.queue.cancel(check->trigger.workspace_id, job_id, "http route",
                                 "the authentication script did not answer in time", std::nullopt);
          reply_error(check->delivery,
                      Error::of(ErrorKind::Unavailable,
                                "the route's authentication script did not answer within " +
                                    std::to_string(kCustomAuthTimeoutS) + " s"));
        });
      },
      decide);
}

}  // namespace millrace::api
