// The webhooks: run a script by path or by hash, async (201 + job id) or sync (the result).
// parse → authorize → resolve the script → build the args → enqueue durably → answer.
#include <atomic>
#include <chrono>

#include <nlohmann/json.hpp>

#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/run_args.h"
#include "api/sync_result.h"
#include "auth/scopes.h"
#include "common/timer_queue.h"
#include "common/uuid.h"
#include "queue/job_queue.h"
#include "store/database.h"
#include "store/jobs.h"

namespace millrace::api {
namespace {

using nlohmann::json;

enum class Target { kPath, kHash };
enum class Mode { kAsync, kSync };

Result<std::shared_ptr<const store::ScriptRecord>> resolve_script(ApiContext& ctx,
                                                                  const std::string& ws,
                                                                  Target target,
                                                                  const std::string& id) {
  return target == Target::kPath ? ctx.scripts.latest(ws, id) : ctx.scripts.version(ws, id);
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
    long long secs = 0;
    try {
      size_t used = 0;
      secs = std::stoll(*in, &used);
      if (used != in->size()) throw std::invalid_argument("trailing characters");
    } catch (...) {
      return Error::bad_request(
          "invalid scheduled_in_secs: expected a whole number of seconds, got " + *in);
    }
    if (secs > kMaxScheduleAheadSeconds || secs < -kMaxScheduleAheadSeconds) {
      return Error::bad_request("scheduled_in_secs is more than 100 years away");
    }
    return now + secs * 1000;
  }
  return now;
}

// The state one parked sync caller shares between its completion, its timeout and its
// disconnect: whichever comes first answers, the others do nothing.
struct SyncCall {
  http::ResponderPtr responder;
  std::atomic<bool> answered{false};
  std::atomic<uint64_t> timer{0};
  uint64_t waiter = 0;
};

void give_up(ApiContext& ctx, const std::shared_ptr<SyncCall>& call, const std::string& ws,
             const std::string& job_id, const std::string& canceler, const std::string& reason) {
  ctx.queue.forget_waiter(job_id, call->waiter);
  auto canceled = ctx.queue.cancel(ws, job_id, canceler, reason, std::nullopt);
  (void)canceled;  // already done, or gone: nothing left to stop
}

void run_script(ApiContext& ctx, http::Request& req, http::ResponderPtr r, Target target,
                Mode mode) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto script = resolve_script(ctx, ws, target,
                               target == Target::kPath ? req.params["path"] : req.params["hash"]);
  if (!script) return reply_error(r, script.error());
  if (!auth::scopes_allow_run(who->scopes, "scripts", (*script)->path)) {
    return reply_error(
        r, Error::permission_denied("Required scope: jobs:run:scripts:" + (*script)->path));
  }

  Query query;
  if (!req.query_params(query)) return reply_error(r, Error::bad_request("malformed query string"));
  Result<std::string> args = std::string("{}");
  if (req.method == "GET") {
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
    auto exists = ctx.db.read([&](store::Connection& c) { return store::job_exists(c, **job_id); });
    if (!exists) return reply_error(r, exists.error());
    if (*exists)
      return reply_error(r, Error::bad_request("Job with id " + **job_id + " already exists"));
  }

  queue::NewJob job;
  auto& j = job.job;
  j.id = job_id->value_or(new_uuid_v7(now));
  j.workspace_id = ws;
  j.created_at = now;
  j.created_by = who->display_name();
  j.permissioned_as = who->permissioned_as();
  j.email = who->email;
  j.script_hash = (*script)->hash;
  j.script_path = (*script)->path;
  j.language = (*script)->language;
  j.args_json = std::move(*args);
  j.parent_job = *parent;
  j.root_job = *root;
  j.trigger_kind = "webhook";
  if (!who->token_prefix.empty()) j.token_prefix = who->token_prefix;
  j.timeout_s = (*script)->timeout_s;
  j.tag = (*script)->language;
  job.scheduled_for = *when;
  json params = {
      {"uuid", j.id}, {"hash", j.script_hash.value()}, {"permissioned_as", j.permissioned_as}};
  if (j.token_prefix) params["token_prefix"] = *j.token_prefix;
  job.audit =
      audit_record(ctx, *who, ws, {"jobs.run.script", "Execute", j.script_path, params.dump()});
  const std::string id = j.id;

  if (mode == Mode::kAsync) {
    ctx.queue.enqueue(std::move(job), [r, id](const Status& s) {
      if (!s) return reply_error(r, s.error());
      reply_text(r, 201, id);
    });
    return;
  }

  auto call = std::make_shared<SyncCall>();
  call->responder = r;
  const int64_t wait_s =
      ctx.config.timeout_wait_result_s > 0 ? ctx.config.timeout_wait_result_s : 2;
  const std::string canceler = who->username;
  call->waiter = ctx.queue.enqueue(
      std::move(job),
      [&ctx, call, ws, id, wait_s, canceler](const Status& s) {
        if (!s) {
          if (!call->answered.exchange(true)) reply_error(call->responder, s.error());
          return;
        }
        call->timer = ctx.timers.schedule(
            std::chrono::seconds(wait_s), [&ctx, call, ws, id, wait_s, canceler] {
              if (call->answered.exchange(true)) return;
              // Windmill's drop guard gives the same reason for a timeout as for a disconnect.
              give_up(ctx, call, ws, id, canceler, "http connection broke");
              reply_text(call->responder, 500, "timeout after " + std::to_string(wait_s) + "s");
            });
        call->responder->on_disconnect([&ctx, call, ws, id, canceler] {
          if (call->answered.exchange(true)) return;
          ctx.timers.cancel(call->timer);
          give_up(ctx, call, ws, id, canceler, "http connection broke");
        });
      },
      [&ctx, call](const queue::JobCompletion& done) {
        if (call->answered.exchange(true)) return;
        if (uint64_t t = call->timer.load()) ctx.timers.cancel(t);
        call->responder->send(sync_response(done));
      });
}

template <Target T, Mode M>
void run_route(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  run_script(ctx, req, std::move(r), T, M);
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
  // Webhook validators probe with HEAD: answer without running anything.
  for (const char* p : {"/run/p/*path", "/run/h/:hash", "/run_wait_result/p/*path",
                        "/run_wait_result/h/:hash", "/run/f/*path", "/run_wait_result/f/*path"}) {
    router.add("HEAD", base + p, bind_handler(ctx, head_ok));
  }
}

}  // namespace millrace::api
