// Looking at jobs (status, result, logs, lists) and canceling them.
#include <atomic>
#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "api/event_stream.h"
#include "api/job_access.h"
#include "api/path_access.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/views.h"
#include "common/strings.h"
#include "common/timer_queue.h"
#include "common/uuid.h"
#include "queue/job_queue.h"
#include "store/jobs.h"

namespace millrace::api {
namespace {

using nlohmann::json;

// jobs/list answers at most this many jobs per page, whatever per_page asks.
constexpr int64_t kMaxJobsPerPage = 1000;

// The job named in the URL, if the caller may see it (api/job_access.h).
Result<store::JobView> visible_job(ApiContext& ctx, const http::Request& req,
                                   const auth::Identity& who, const std::string& ws) {
  const std::string id = lowercase_uuid(req.params.at("id"));
  if (!is_uuid(id))
    return Error::bad_request("invalid job id " + req.params.at("id") + ": not a UUID");
  auto view = ctx.jobs.find(ws, id);
  if (!view) return view.error();
  if (!*view) return Error::not_found("Job not found at name " + id);
  MR_TRY(may_see_job(ctx, who, ws, (*view)->job));
  return std::move(**view);
}

#define MR_JOB_OR_REPLY(view_name)                  \
  const std::string ws = req.params["workspace"];   \
  auto who = authorize(ctx, req, ws);               \
  if (!who) return reply_error(r, who.error());     \
  auto view_name = visible_job(ctx, req, *who, ws); \
  if (!view_name) return reply_error(r, view_name.error())

// The job at the root of the job's flow (the job itself when it is no flow's step), as a JSON
// string: what the clients' get_root_job_id asks.
void get_root_job_id(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  reply_json(r, 200, nlohmann::json(view->job.root_job.value_or(view->job.id)).dump());
}

// What a running job says of its progress (wmill's set_progress), as whoever may see it.
// Windmill also copies a step's progress into its flow (`flow_job_id`): here a flow's progress is
// its steps' count in its status.
void set_progress(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b.contains("percent") || !b["percent"].is_number()) {
    return reply_error(r, json_data_error("expected {\"percent\": integer}"));
  }
  auto percent = static_cast<int64_t>(b["percent"].get<double>());
  if (auto st = ctx.jobs.set_progress(*view, percent); !st) return reply_error(r, st.error());
  reply_json(r, 200, "null");
}

void get_progress(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  auto progress = ctx.jobs.progress(view->job.id);
  if (!progress) return reply_error(r, progress.error());
  reply_json(r, 200, *progress ? std::to_string(**progress) : "null");
}

void get_job(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  auto no_logs = query_bool(req, "no_logs");
  if (!no_logs) return reply_error(r, no_logs.error());
  std::optional<std::string> logs;
  if (!no_logs->value_or(false)) {
    auto l = ctx.jobs.logs(view->job.id);
    if (!l) return reply_error(r, l.error());
    logs = std::move(*l);
  }
  reply_json(r, 200, job_json(*view, logs ? &*logs : nullptr, true));
}

void get_completed(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  if (!view->completed)
    return reply_error(r, Error::not_found("Completed Job not found at name " + view->job.id));
  auto logs = ctx.jobs.logs(view->job.id);
  if (!logs) return reply_error(r, logs.error());
  reply_json(r, 200, job_json(*view, &*logs, false));
}

void get_result(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  if (!view->completed)
    return reply_error(r, Error::not_found("Completed Job not found at name " + view->job.id));
  reply_json(r, 200, view->completed->result_json.value_or("null"));
}

void get_result_maybe(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  if (!view->completed) {
    // `success` is there while it runs too: Windmill's Python client reads it on every poll.
    json o = {{"completed", false},
              {"success", false},
              {"result", nullptr},
              {"started", view->queued && view->queued->running}};
    return reply_json(r, 200, o.dump());
  }
  json o = {{"completed", true},
            {"success", view->completed->status == JobStatus::Success},
            {"started", true}};
  reply_json(
      r, 200,
      with_raw_fields(o.dump(), {{"result", view->completed->result_json.value_or("null")}}));
}

// With nothing new to say about a running job, getupdate holds its answer until there is (new
// logs, or the end), at most this long: `wmill script run` polls it in a loop without sleeping.
constexpr auto kUpdateHold = std::chrono::milliseconds(250);

// A held getupdate: answered once, by news of the job or by the end of the hold.
struct HeldUpdate {
  std::atomic<bool> answered{false};
  std::atomic<uint64_t> timer{0};
  uint64_t watch = 0;
};

void answer_update(ApiContext& ctx, const std::string& ws, const std::string& id, Offsets from,
                   const http::ResponderPtr& r, bool may_hold) {
  std::shared_ptr<HeldUpdate> held;
  if (may_hold) {
    // Watched before reading, so logs committed in between are not missed.
    held = std::make_shared<HeldUpdate>();
    held->watch = ctx.queue.watch_news(id, [&ctx, ws, id, from, r, held] {
      if (held->answered.exchange(true)) return;
      if (uint64_t t = held->timer.load()) ctx.timers.cancel(t);
      // Called on the store's writer thread: the answer is read and sent from the timers'.
      ctx.timers.schedule(std::chrono::milliseconds(0),
                          [&ctx, ws, id, from, r] { answer_update(ctx, ws, id, from, r, false); });
    });
  }
  auto stop_holding = [&] {
    if (!held) return true;
    if (held->answered.exchange(true)) return false;  // the news came first and answers
    ctx.queue.forget_news(id, held->watch);
    return true;
  };
  auto view = ctx.jobs.find(ws, id);
  if (!view || !*view) {
    if (!stop_holding()) return;
    if (!view) return reply_error(r, view.error());
    return reply_error(r, Error::not_found("Job not found at name " + id));
  }
  auto logs = ctx.jobs.logs(id, from.log);
  if (!logs) return stop_holding() ? reply_error(r, logs.error()) : void();
  auto stream = ctx.jobs.result_stream(id, from.stream);
  if (!stream) return stop_holding() ? reply_error(r, stream.error()) : void();
  const auto& completed = (*view)->completed;
  if (held && logs->empty() && stream->text.empty() && !completed) {
    held->timer = ctx.timers.schedule(kUpdateHold, [&ctx, ws, id, from, r, held] {
      if (held->answered.exchange(true)) return;
      ctx.queue.forget_news(id, held->watch);
      answer_update(ctx, ws, id, from, r, false);
    });
    return;
  }
  if (!stop_holding()) return;
  const auto& queued = (*view)->queued;
  json o = {{"running", !completed && queued && queued->running},
            {"completed", completed.has_value()},
            {"new_logs", *logs},
            {"log_offset", from.log + count_characters(*logs)}};
  if (!stream->text.empty()) {
    o["new_result_stream"] = std::move(stream->text);
    o["stream_offset"] = stream->next_idx;
  }
  std::string body = o.dump(-1, ' ', false, json::error_handler_t::replace);
  if (completed)
    body = with_raw_fields(std::move(body), {{"result", completed->result_json.value_or("null")}});
  reply_json(r, 200, std::move(body));
}

// ?log_offset= and ?stream_offset=: where the caller's copies end (0 when absent).
Result<Offsets> offsets_params(const http::Request& req) {
  Offsets from;
  for (auto [name, field] : {std::pair{"log_offset", &from.log}, {"stream_offset", &from.stream}}) {
    auto o = req.query_param(name);
    if (!o) continue;
    auto parsed = parse_int64(*o);
    if (!parsed || *parsed < 0)
      return Error::bad_request(std::string("invalid ") + name + ": " + *o);
    *field = *parsed;
  }
  return from;
}

void get_update(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  auto from = offsets_params(req);
  if (!from) return reply_error(r, from.error());
  answer_update(ctx, ws, view->job.id, *from, r, true);
}

// getupdate as Server-Sent Events (event_stream.h): `log_offset`, `stream_offset`,
// `only_result`, `no_logs`.
void get_update_sse(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  auto from = offsets_params(req);
  if (!from) return reply_error(r, from.error());
  auto only_result = query_bool(req, "only_result");
  if (!only_result) return reply_error(r, only_result.error());
  auto no_logs = query_bool(req, "no_logs");
  if (!no_logs) return reply_error(r, no_logs.error());
  stream_job_updates(ctx, r, ws, view->job.id, *from, only_result->value_or(false),
                     no_logs->value_or(false));
}

void get_logs(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_JOB_OR_REPLY(view);
  auto logs = ctx.jobs.logs(view->job.id);
  if (!logs) return reply_error(r, logs.error());
  reply_text(r, 200, *logs);
}

// Queued and completed jobs (`completed` unset), or only one of them (Windmill's listQueue and
// listCompletedJobs).
void list_jobs_where(ApiContext& ctx, http::Request& req, http::ResponderPtr r,
                     std::optional<bool> completed) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto page = paging(req);
  if (!page) return reply_error(r, page.error());
  auto include_args = query_bool(req, "include_args");
  if (!include_args) return reply_error(r, include_args.error());
  store::JobListFilter f;
  f.limit = std::min<int64_t>(page->limit, kMaxJobsPerPage);
  f.offset = page->offset;
  // A member sees the jobs they started and those of paths they may read.
  auto readable = readable_prefixes(ctx, *who, ws);
  if (!readable) return reply_error(r, readable.error());
  if (*readable) {
    f.visible_email = who->email;
    f.visible_prefixes = std::move(**readable);
  }
  f.created_by = req.query_param("created_by");
  f.script_path_exact = req.query_param("script_path_exact");
  f.script_path_start = req.query_param("script_path_start");
  f.script_hash = req.query_param("script_hash");
  f.parent_job = req.query_param("parent_job");
  for (auto [name, field] : {std::pair{"created_before", &f.created_before},
                             std::pair{"created_after", &f.created_after}}) {
    auto t = query_time(req, name);
    if (!t) return reply_error(r, t.error());
    *field = *t;
  }
  for (auto [name, field] : {std::pair{"running", &f.running}, std::pair{"success", &f.success}}) {
    auto b = query_bool(req, name);
    if (!b) return reply_error(r, b.error());
    *field = *b;
  }
  auto null_parent = query_bool(req, "has_null_parent");
  if (!null_parent) return reply_error(r, null_parent.error());
  f.has_null_parent = null_parent->value_or(false);
  if (auto kinds = req.query_param("job_kinds")) {
    for (const auto& k : split(*kinds, ',')) {
      if (!k.empty()) f.kinds.push_back(k);
    }
  }
  if (f.running && *f.running) f.completed = false;
  if (f.success) f.completed = true;
  if (completed) {
    if (f.completed && *f.completed != *completed) return reply_json(r, 200, "[]");
    f.completed = completed;
  }
  auto list = ctx.jobs.list(ws, f);
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, jobs_json(*list, include_args->value_or(false)));
}

void list_jobs(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  list_jobs_where(ctx, req, std::move(r), std::nullopt);
}
void list_completed_jobs(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  list_jobs_where(ctx, req, std::move(r), true);
}
void list_queued_jobs(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  list_jobs_where(ctx, req, std::move(r), false);
}

void cancel_job(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string id = lowercase_uuid(req.params["id"]);
  if (!is_uuid(id))
    return reply_error(r,
                       Error::bad_request("invalid job id " + req.params["id"] + ": not a UUID"));
  // A job the caller may not see is one it may not cancel (the queue says when there is none).
  auto view = ctx.jobs.find(ws, id);
  if (!view) return reply_error(r, view.error());
  if (*view) {
    if (auto seen = may_see_job(ctx, *who, ws, (*view)->job); !seen) {
      return reply_error(r, seen.error());
    }
  }
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object()) return reply_error(r, json_data_error("expected {\"reason\"?: string}"));
  if (b.contains("reason") && !b["reason"].is_null() && !b["reason"].is_string()) {
    return reply_error(r, json_data_error("reason: expected a string"));
  }
  std::string reason =
      b.contains("reason") && b["reason"].is_string() ? b["reason"].get<std::string>() : "";
  auto done = ctx.jobs.cancel(*who, ws, id, reason);
  if (!done) return reply_error(r, done.error());
  reply_text(r, 200,
             *done == queue::CancelOutcome::kCanceled
                 ? id
                 : "queued job id " + id + " is already completed");
}

}  // namespace

void add_job_routes(http::Router& router, ApiContext& ctx) {
  const std::string u = "/api/w/:workspace/jobs_u";
  router.add("GET", u + "/get_root_job_id/:id", bind_handler(ctx, get_root_job_id));
  router.add("GET", u + "/get/:id", bind_handler(ctx, get_job));
  router.add("GET", u + "/completed/get/:id", bind_handler(ctx, get_completed));
  router.add("GET", "/api/w/:workspace/jobs/completed/get/:id", bind_handler(ctx, get_completed));
  router.add("GET", u + "/completed/get_result/:id", bind_handler(ctx, get_result));
  router.add("GET", "/api/w/:workspace/jobs/completed/get_result/:id",
             bind_handler(ctx, get_result));
  router.add("GET", u + "/completed/get_result_maybe/:id", bind_handler(ctx, get_result_maybe));
  router.add("GET", u + "/getupdate/:id", bind_handler(ctx, get_update));
  router.add("GET", u + "/getupdate_sse/:id", bind_handler(ctx, get_update_sse));
  router.add("GET", u + "/get_logs/:id", bind_handler(ctx, get_logs));
  router.add("GET", "/api/w/:workspace/jobs/completed/list",
             bind_handler(ctx, list_completed_jobs));
  router.add("GET", "/api/w/:workspace/jobs/queue/list", bind_handler(ctx, list_queued_jobs));
  router.add("POST", "/api/w/:workspace/job_metrics/set_progress/:id",
             bind_handler(ctx, set_progress));
  router.add("GET", "/api/w/:workspace/job_metrics/get_progress/:id",
             bind_handler(ctx, get_progress));
  router.add("GET", "/api/w/:workspace/jobs/list", bind_handler(ctx, list_jobs));
  router.add("POST", u + "/queue/cancel/:id", bind_handler(ctx, cancel_job));
  router.add("POST", "/api/w/:workspace/jobs/queue/cancel/:id", bind_handler(ctx, cancel_job));
}

}  // namespace millrace::api
