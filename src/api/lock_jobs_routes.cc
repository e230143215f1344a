// Dependency (lock) jobs, as `wmill generate-metadata` and `wmill sync push` start them: the
// requirements of a script's code (or of each inline step of a flow) resolved into a lock by the
// workers, with the package tools, in a sandbox. jobs/run/dependencies waits and answers the
// lock; the _async routes answer the job's id.
#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/sync_call.h"
#include "api/sync_result.h"
#include "queue/job_queue.h"
#include "queue/new_job.h"

namespace millrace::api {
namespace {

using nlohmann::json;

void start_lock_job(ApiContext& ctx, http::Request& req, http::ResponderPtr r, JobKind kind,
                    bool wait) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object()) return reply_error(r, json_data_error("expected a JSON object"));
  std::optional<std::string> path;
  for (const char* key : {"entrypoint", "path"}) {
    if (b.contains(key) && b[key].is_string()) path = b[key].get<std::string>();
  }
  queue::JobRequest request;
  request.origin = caller_origin(*who, ws);
  request.target = queue::LockTarget{kind, path, std::nullopt};
  request.args_json = *text;
  queue::NewJob job = queue::make_job(std::move(request), ctx.clock.now_ms());
  const auto& j = job.job;
  json params = {{"uuid", j.id}, {"permissioned_as", j.permissioned_as}};
  job.audit = audit_record(
      ctx, *who, ws,
      {kind == JobKind::Dependencies ? "jobs.run.dependencies" : "jobs.run.flow_dependencies",
       "Execute", path, params.dump()});
  const std::string id = j.id;
  if (!wait) {
    ctx.queue.enqueue(std::move(job), [r, id](const Status& s) {
      if (!s) return reply_error(r, s.error());
      reply_text(r, 201, id);
    });
    return;
  }
  // Waits for the lock, as a sync webhook waits for its result.
  enqueue_and_wait(ctx, std::move(job), who->username, r, [](const queue::JobCompletion& done) {
    return done.success() ? http::Response::json(201, done.result_json) : sync_response(done);
  });
}

void dependencies(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  start_lock_job(ctx, req, std::move(r), JobKind::Dependencies, true);
}

void dependencies_async(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  start_lock_job(ctx, req, std::move(r), JobKind::Dependencies, false);
}

void flow_dependencies(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  start_lock_job(ctx, req, std::move(r), JobKind::FlowDependencies, false);
}

}  // namespace

void add_lock_job_routes(http::Router& router, ApiContext& ctx) {
  router.add("POST", "/api/w/:workspace/jobs/run/dependencies", bind_handler(ctx, dependencies));
  router.add("POST", "/api/w/:workspace/jobs/run/dependencies_async",
             bind_handler(ctx, dependencies_async));
  router.add("POST", "/api/w/:workspace/jobs/run/flow_dependencies_async",
             bind_handler(ctx, flow_dependencies));
}

}  // namespace millrace::api
