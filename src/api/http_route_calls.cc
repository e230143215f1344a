#include "api/http_route_calls.h"

#include <nlohmann/json.hpp>

#include "api/arg_validation.h"
#include "api/idempotency.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/route_auth.h"
#include "api/route_auth_script.h"
#include "api/route_deliveries.h"
#include "api/routes.h"
#include "api/run_answer.h"
#include "api/run_args.h"
#include "api/runnable.h"
#include "api/trigger_event.h"
#include "common/strings.h"
#include "queue/job_queue.h"
#include "queue/new_job.h"
#include "service/references.h"

namespace millrace::api {
namespace {

using nlohmann::json;

}  // namespace

RouteSettings read_route_settings(const store::HttpTriggerRecord& t) {
  json c = json::parse(t.config_json, nullptr, false);
  RouteSettings s;
  if (!c.is_object()) return s;
  auto text = [&c](const char* k, const std::string& fallback) {
    return c.contains(k) && c[k].is_string() ? c[k].get<std::string>() : fallback;
  };
  auto flag = [&c](const char* k) {
    return c.contains(k) && c[k].is_boolean() && c[k].get<bool>();
  };
  s.script_path = text("script_path", "");
  s.is_flow = flag("is_flow");
  s.authentication_method = text("authentication_method", "none");
  if (c.contains("authentication_resource_path") && c["authentication_resource_path"].is_string())
    s.resource_path = c["authentication_resource_path"].get<std::string>();
  s.request_type = text("request_type", "sync");
  s.wrap_body = flag("wrap_body");
  s.raw_string = flag("raw_string");
  if (c.contains("rate_limit_per_second") && c["rate_limit_per_second"].is_number()) {
    s.rate.per_second = c["rate_limit_per_second"].get<double>();
    s.rate.burst = std::max(1.0, c.value("rate_limit_burst", s.rate.per_second));
  }
  if (c.contains("queue_limit") && c["queue_limit"].is_number_integer())
    s.queue_limit = c["queue_limit"].get<int64_t>();
  return s;
}

namespace {

bool declares(const std::optional<std::string>& schema_json, const char* arg) {
  if (!schema_json || schema_json->find(arg) == std::string::npos) return false;
  json schema = json::parse(*schema_json, nullptr, false);
  return schema.is_object() && schema.contains("properties") && schema["properties"].is_object() &&
         schema["properties"].contains(arg);
}

void reply_refused(const http::ResponderPtr& r, const Error& e, const std::string& method) {
  if (e.kind == ErrorKind::Unauthorized && method == "basic_http") {
    http::Response res = http::Response::text(401, e.message);
    res.headers.emplace_back("WWW-Authenticate", "Basic realm=\"millrace\", charset=\"UTF-8\"");
    return r->send(std::move(res));
  }
  reply_error(r, e);
}

void call_route(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string& route = req.params["route"];
  auto matched = ctx.http_triggers.match(to_lower(req.method), route);
  if (!matched) return reply_error(r, matched.error());
  if (!*matched) {
    return reply_error(
        r, Error::not_found("no HTTP route answers " + req.method + " /api/r/" + route));
  }
  const store::HttpTriggerRecord& t = (*matched)->trigger;
  const RouteSettings settings = read_route_settings(t);
  // Whatever it is answered from here on is kept among the route's deliveries.
  auto delivery = RecordedDelivery::wrap(ctx, req, t, route, r);

  if (settings.authentication_method == "custom_script") {
    // The route's own script decides, as a job of its own: the call goes on when it answers.
    return authenticate_by_script(ctx, std::make_shared<http::Request>(req), t, settings,
                                  std::move((*matched)->params), route, delivery);
  }
  auto caller = ctx.route_auth.authenticate(
      ctx, req, {t, settings.authentication_method, settings.resource_path});
  if (!caller) return reply_refused(delivery, caller.error(), settings.authentication_method);
  delivery->verified();
  delivery->mask(caller->secret_header);
  run_route_call(ctx, req, delivery,
                 {t, settings, std::move((*matched)->params), std::move(*caller), route,
                  std::nullopt, delivery});
}

}  // namespace

void run_route_call(ApiContext& ctx, http::Request& req, const http::ResponderPtr& r,
                    RouteCall call) {
  const store::HttpTriggerRecord& t = call.trigger;
  const RouteSettings& settings = call.settings;
  const std::string& ws = t.workspace_id;
  const auth::Identity* who = &call.caller.who;
  const bool replay = call.replay_of.has_value();

  auto runnable = resolve_runnable(
      ctx, ws, settings.is_flow ? RunTarget::kFlowPath : RunTarget::kPath, settings.script_path);
  if (!runnable) return reply_error(r, runnable.error());
  // Whoever the job runs as must be able to read what it runs (the owner may have lost it).
  if (auto st = check_may_run(ctx, *who, ws, *runnable); !st) return reply_error(r, st.error());

  NameValues query;
  if (!req.query_params(query)) return reply_error(r, Error::bad_request("malformed query string"));
  TriggerRequest request_seen{
      req, query, t.route_path, call.route, std::move(call.params), call.caller.secret_header};
  Result<std::string> args = std::string();
  if (runnable->has_preprocessor) {
    // The preprocessor gets the whole request and makes main's arguments.
    args = preprocessor_args(request_seen);
  } else {
    RunArgsRequest in;
    in.content_type = req.header("content-type");
    in.body = &req.body;
    in.headers = &req.headers;
    in.wrap_body = settings.wrap_body;
    in.raw_string = settings.raw_string;
    args = build_run_args(in);
    if (args && declares(runnable->schema_json, "wm_trigger")) {
      json a = json::parse(*args);
      a["wm_trigger"] = json::parse(wm_trigger_json(request_seen));
      args = a.dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  if (!args) return reply_error(r, args.error());
  // A script's job takes a route's arguments literally (service/job_inputs.h); a flow's steps
  // get them through its expressions, where a reference would be opened as the route's owner.
  if (runnable->is_flow()) {
    if (auto ref = service::References::first_reference(*args)) {
      return reply_error(r, Error::bad_request("the arguments of a flow run by an HTTP route may "
                                               "not name a variable or resource (" +
                                               *ref + ")"));
    }
  }
  if (runnable->schema_json && !runnable->has_preprocessor) {
    if (auto valid = validate_args(*runnable->schema_json, *args, runnable->language != "bash");
        !valid) {
      return reply_error(r, valid.error());
    }
  }

  // A sender's retry (its own delivery id, or an Idempotency-Key) gets the job its first
  // delivery made. A replay from the app is a new run on purpose.
  auto key = idempotency_key_header(req);
  if (!key) return reply_error(r, key.error());
  if (!*key && !call.caller.delivery_id.empty()) *key = call.caller.delivery_id;
  if (replay) key->reset();
  IdempotentCall idempotency(
      ctx, ws,
      "route:" + t.path +
          (settings.authentication_method == "windmill" ? " " + who->permissioned_as() : ""),
      std::move(*key), req.body,
      settings.request_type == "async" ? ReplayMode::kAsync : ReplayMode::kSync);
  if (call.delivery) {
    idempotency.on_replay([delivery = call.delivery](const std::string& id) { delivery->job(id); });
  }
  if (auto done = idempotency.replayed(r); !done || *done) {
    if (!done) reply_error(r, done.error());
    return;
  }

  // Only calls that passed authentication count against the route's rate: a flood of forged
  // deliveries cannot use up its sender's.
  if (!replay) {
    if (auto refusal = ctx.back_pressure.rate("route " + ws + "/" + t.path, settings.rate)) {
      return r->send(*refusal);
    }
    if (auto refusal = ctx.back_pressure.token_rate(who->token_prefix)) return r->send(*refusal);
  }
  if (auto refusal = ctx.back_pressure.queue(ws, runnable->path, settings.queue_limit)) {
    return r->send(*refusal);
  }

  const EpochMs now = ctx.clock.now_ms();
  queue::JobRequest request;
  request.origin = caller_origin(*who, ws);
  request.origin.trigger = TriggerKind::Http;
  request.args_json = std::move(*args);
  request.preprocess = runnable->has_preprocessor;
  request.scheduled_for = now;
  set_job_target(request, *runnable);
  queue::NewJob job = queue::make_job(std::move(request), now);
  const auto& j = job.job;
  json params = json::parse(run_audit_params(j, *runnable));
  params["trigger_kind"] = "http";
  params["trigger"] = t.path;
  if (replay) params["replay_of"] = *call.replay_of;
  if (call.delivery) call.delivery->job(j.id);
  job.audit = audit_record(
      ctx, *who, ws,
      {j.raw_flow ? "jobs.run.flow" : "jobs.run.script", "Execute", j.script_path, params.dump()});
  enqueue_and_answer(ctx, std::move(job),
                     replay || settings.request_type == "async" ? RunAnswer::kJobId
                     : settings.request_type == "sync_sse"      ? RunAnswer::kStream
                                                                : RunAnswer::kResult,
                     who->username, idempotency, r);
}

void add_http_route_calls(http::Router& router, ApiContext& ctx) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    router.add(method, "/api/r/*route", bind_handler(ctx, call_route));
  }
}

}  // namespace millrace::api
