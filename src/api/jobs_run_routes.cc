// The webhooks: run a script (by path or hash) or a flow (by path or version), async (201 +
// job id), sync (the result) or streamed.
// parse → authorize → resolve the runnable → build the args (or, for a runnable with a
// preprocessor, the request as its event) → a retry's replay (idempotency.h), back-pressure
// (back_pressure.h) → enqueue durably → answer (run_answer.h).
#include <optional>

#include "api/arg_validation.h"
#include "api/idempotency.h"
#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/run_answer.h"
#include "api/run_args.h"
#include "api/runnable.h"
#include "api/trigger_event.h"
#include "api/views.h"
#include "common/strings.h"
#include "common/uuid.h"
#include "queue/job_queue.h"
#include "queue/new_job.h"
#include "service/references.h"

namespace millrace::api {
namespace {

// async: 201 with the id; sync: the result; stream: Server-Sent Events ending with the result.
enum class Mode { kAsync, kSync, kStream };
using Target = RunTarget;

const std::string& target_param(http::Request& req, Target target) {
  switch (target) {
    case Target::kPath:
    case Target::kFlowPath:
      return req.params["path"];
    case Target::kHash:
      return req.params["hash"];
    case Target::kFlowVersion:
      break;
  }
  return req.params["version"];
}

using Query = std::vector<std::pair<std::string, std::string>>;

// The query is parsed once per webhook; these read from that list.
const std::string* find_param(const Query& query, std::string_view name) {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

Result<std::optional<std::string>> uuid_param(const Query& query, const char* name) {
  const std::string* v = find_param(query, name);
  if (!v) return std::optional<std::string>();
  if (!is_uuid(*v))
    return Error::bad_request("invalid " + std::string(name) + ": " + *v + " is not a UUID");
  return std::optional<std::string>(lowercase_uuid(*v));
}

// How many of its jobs may wait when a call adds one: `?queue_limit=`, and for a sync call
// QUEUE_LIMIT_WAIT_RESULT, which wins (as on Windmill).
Result<std::optional<int64_t>> queue_limit(ApiContext& ctx, const Query& query, Mode mode) {
  if (mode != Mode::kAsync && ctx.config.queue_limit_wait_result > 0) {
    return std::optional<int64_t>(ctx.config.queue_limit_wait_result);
  }
  const std::string* v = find_param(query, "queue_limit");
  if (!v) return std::optional<int64_t>();
  auto n = parse_int64(*v);
  if (!n || *n < 0) {
    return Error::bad_request("invalid queue_limit: expected a whole number, got " + *v);
  }
  return std::optional<int64_t>(*n);
}

// Jobs may be scheduled up to this far ahead (beyond, the arithmetic would overflow).
constexpr int64_t kMaxScheduleAheadSeconds = 100ll * 365 * 24 * 3600;

Result<EpochMs> scheduled_for(const Query& query, EpochMs now) {
  if (const std::string* at = find_param(query, "scheduled_for")) {
    auto t = parse_rfc3339(*at);
    if (!t) {
      return Error::bad_request("invalid scheduled_for: expected an RFC 3339 date-time, got " +
                                *at);
    }
    if (*t - now > kMaxScheduleAheadSeconds * 1000) {
      return Error::bad_request("scheduled_for is more than 100 years ahead");
    }
    return *t;
  }
  if (const std::string* in = find_param(query, "scheduled_in_secs")) {
    auto secs = parse_int64(*in);
    if (!secs) {
      return Error::bad_request(
          "invalid scheduled_in_secs: expected a whole number of seconds, got " + *in);
    }
    if (*secs > kMaxScheduleAheadSeconds || *secs < -kMaxScheduleAheadSeconds) {
      return Error::bad_request("scheduled_in_secs is more than 100 years away");
    }
    return now + *secs * 1000;
  }
  return now;
}

void run(ApiContext& ctx, http::Request& req, http::ResponderPtr r, Target target, Mode mode) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto refusal = ctx.back_pressure.token_rate(who->token_prefix)) return r->send(*refusal);
  auto runnable = resolve_runnable(ctx, ws, target, target_param(req, target));
  if (!runnable) return reply_error(r, runnable.error());
  if (auto st = check_may_run(ctx, *who, ws, *runnable); !st) return reply_error(r, st.error());

  Query query;
  if (!req.query_params(query)) return reply_error(r, Error::bad_request("malformed query string"));
  const std::string* skip = find_param(query, "skip_preprocessor");
  const bool preprocess =
      runnable->has_preprocessor && !(skip && (*skip == "true" || *skip == "1"));
  Result<std::string> args = std::string("{}");
  if (preprocess) {
    // The preprocessor gets the whole request and makes main's arguments.
    Result<std::string> payload = std::string();
    const std::string* sent = req.method == "GET" ? find_param(query, "payload") : nullptr;
    if (sent) payload = args_from_payload(*sent);
    if (!payload) return reply_error(r, payload.error());
    args = preprocessor_args({req, query, "", "", {}, ""}, sent ? &*payload : nullptr);
  } else if (req.method == "GET") {
    if (const std::string* payload = find_param(query, "payload"))
      args = args_from_payload(*payload);
  } else {
    RunArgsRequest in;
    in.content_type = req.header("content-type");
    in.body = &req.body;
    in.query = &query;
    in.headers = &req.headers;
    in.global_include_headers = ctx.config.include_headers;
    args = build_run_args(in);
  }
  if (!args) return reply_error(r, args.error());
  if (auto st = service::References::check_scopes(who->scopes, *args); !st) {
    return reply_error(r, st.error());
  }

  // A retry of a call with a key gets the job its first call made.
  auto key = idempotency_key_header(req);
  if (!key) return reply_error(r, key.error());
  const IdempotentCall idempotency(
      ctx, ws, who->permissioned_as() + " " + runnable->scope_kind + ":" + runnable->path,
      std::move(*key), req.method == "GET" ? req.query : req.body,
      mode == Mode::kAsync ? ReplayMode::kAsync : ReplayMode::kSync);
  if (auto done = idempotency.replayed(r); !done || *done) {
    if (!done) reply_error(r, done.error());
    return;
  }

  auto limit = queue_limit(ctx, query, mode);
  if (!limit) return reply_error(r, limit.error());
  if (auto refusal = ctx.back_pressure.queue(ws, runnable->path, *limit)) return r->send(*refusal);

  auto job_id = uuid_param(query, "job_id");
  if (!job_id) return reply_error(r, job_id.error());
  auto parent = uuid_param(query, "parent_job");
  if (!parent) return reply_error(r, parent.error());
  auto root = uuid_param(query, "root_job");
  if (!root) return reply_error(r, root.error());
  EpochMs now = ctx.clock.now_ms();
  auto when = mode == Mode::kAsync ? scheduled_for(query, now) : Result<EpochMs>(now);
  if (!when) return reply_error(r, when.error());
  if (*job_id) {
    auto exists = ctx.jobs.exists(**job_id);
    if (!exists) return reply_error(r, exists.error());
    if (*exists)
      return reply_error(r, Error::bad_request("Job with id " + **job_id + " already exists"));
  }
  // The arguments, against the schema: after the query's own checks, before any job.
  if (runnable->schema_json && !preprocess) {
    if (auto valid = validate_args(*runnable->schema_json, *args, runnable->language != "bash");
        !valid) {
      return reply_error(r, valid.error());
    }
  }

  queue::JobRequest request;
  request.origin = caller_origin(*who, ws);
  request.origin.parent_job = *parent;
  request.origin.root_job = *root;
  request.args_json = std::move(*args);
  request.preprocess = preprocess;
  request.id = *job_id;
  request.scheduled_for = *when;
  set_job_target(request, *runnable);
  queue::NewJob job = queue::make_job(std::move(request), now);
  const auto& j = job.job;
  job.audit = audit_record(ctx, *who, ws,
                           {j.raw_flow ? "jobs.run.flow" : "jobs.run.script", "Execute",
                            j.script_path, run_audit_params(j, *runnable)});
  enqueue_and_answer(ctx, std::move(job),
                     mode == Mode::kAsync    ? RunAnswer::kJobId
                     : mode == Mode::kStream ? RunAnswer::kStream
                                             : RunAnswer::kResult,
                     who->username, idempotency, r);
}

template <Target T, Mode M>
void run_route(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  run(ctx, req, std::move(r), T, M);
}

void head_ok(ApiContext&, http::Request&, http::ResponderPtr r) {
  reply_text(r, 200, "");
}

}  // namespace

void add_job_run_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/jobs";
  router.add("POST", base + "/run/p/*path",
             bind_handler(ctx, run_route<Target::kPath, Mode::kAsync>));
  router.add("POST", base + "/run/h/:hash",
             bind_handler(ctx, run_route<Target::kHash, Mode::kAsync>));
  router.add("POST", base + "/run_wait_result/p/*path",
             bind_handler(ctx, run_route<Target::kPath, Mode::kSync>));
  router.add("GET", base + "/run_wait_result/p/*path",
             bind_handler(ctx, run_route<Target::kPath, Mode::kSync>));
  router.add("POST", base + "/run_wait_result/h/:hash",
             bind_handler(ctx, run_route<Target::kHash, Mode::kSync>));
  router.add("GET", base + "/run_wait_result/h/:hash",
             bind_handler(ctx, run_route<Target::kHash, Mode::kSync>));
  router.add("POST", base + "/run/f/*path",
             bind_handler(ctx, run_route<Target::kFlowPath, Mode::kAsync>));
  router.add("POST", base + "/run/fv/:version",
             bind_handler(ctx, run_route<Target::kFlowVersion, Mode::kAsync>));
  for (const char* method : {"POST", "GET"}) {
    router.add(method, base + "/run_wait_result/f/*path",
               bind_handler(ctx, run_route<Target::kFlowPath, Mode::kSync>));
    router.add(method, base + "/run_wait_result/fv/:version",
               bind_handler(ctx, run_route<Target::kFlowVersion, Mode::kSync>));
  }
  for (const char* method : {"POST", "GET"}) {
    router.add(method, base + "/run_and_stream/p/*path",
               bind_handler(ctx, run_route<Target::kPath, Mode::kStream>));
    router.add(method, base + "/run_and_stream/h/:hash",
               bind_handler(ctx, run_route<Target::kHash, Mode::kStream>));
    router.add(method, base + "/run_and_stream/f/*path",
               bind_handler(ctx, run_route<Target::kFlowPath, Mode::kStream>));
    router.add(method, base + "/run_and_stream/fv/:version",
               bind_handler(ctx, run_route<Target::kFlowVersion, Mode::kStream>));
  }
  // Webhook validators probe with HEAD: answer without running anything.
  for (const char* p :
       {"/run/p/*path", "/run/h/:hash", "/run_wait_result/p/*path", "/run_wait_result/h/:hash",
        "/run/f/*path", "/run/fv/:version", "/run_wait_result/f/*path",
        "/run_wait_result/fv/:version", "/run_and_stream/p/*path", "/run_and_stream/h/:hash",
        "/run_and_stream/f/*path", "/run_and_stream/fv/:version"}) {
    router.add("HEAD", base + p, bind_handler(ctx, head_ok));
  }
}

}  // namespace millrace::api
