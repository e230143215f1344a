// Approval steps of flows (Windmill's suspend): the signed URLs that resume or cancel a flow
// suspended after a step. `jobs/resume_urls` hands them out (to the step itself, through its
// WM_TOKEN, or to anyone who may call the API); whoever holds one may answer it, without a
// token: the signature is the credential.
#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/token.h"
#include "common/base64.h"
#include "common/uuid.h"
#include "queue/job_queue.h"
#include "store/database.h"
#include "store/jobs.h"

namespace millrace::api {
namespace {

using nlohmann::json;

Result<std::string> job_param(const http::Request& req) {
  const std::string& text = req.params.at("id");
  if (!is_uuid(text)) return Error::bad_request("invalid job id " + text + ": not a UUID");
  return lowercase_uuid(text);
}

// A resume id is the caller's choice, a 32-bit number (Windmill's u32).
Result<long long> resume_id_param(const http::Request& req) {
  const std::string& text = req.params.at("resume_id");
  try {
    size_t used = 0;
    long long id = std::stoll(text, &used);
    if (used == text.size() && id >= 0 && id <= 0xffffffffll) return id;
  } catch (...) {
  }
  return Error::bad_request("invalid resume id " + text +
                            ": expected a number from 0 to 4294967295");
}

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void resume_urls(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto job = job_param(req);
  if (!job) return reply_error(r, job.error());
  auto resume_id = resume_id_param(req);
  if (!resume_id) return reply_error(r, resume_id.error());
  const std::string approver = req.query_param("approver").value_or("");
  const std::string tail = "/" + *job + "/" + std::to_string(*resume_id) + "/" +
                           ctx.auth.resume_signature(*job, *resume_id, approver) +
                           (approver.empty() ? "" : "?approver=" + percent_encode(approver));
  const std::string api = ctx.base_url + "/api/w/" + ws + "/jobs_u/";
  reply_json(r, 200,
             json{{"approvalPage", ctx.base_url + "/approve/" + ws + tail},
                  {"resume", api + "resume" + tail},
                  {"cancel", api + "cancel" + tail}}
                 .dump());
}

// The payload of a resume: the JSON body of a POST, or `?payload=` (base64 JSON) of a GET.
Result<std::string> resume_payload(const http::Request& req) {
  if (req.method != "POST") {
    auto payload = req.query_param("payload");
    if (!payload) return std::string("null");
    auto text = base64_decode(*payload);
    if (!text || !json::accept(*text)) {
      return Error::bad_request("invalid payload: expected base64 of a JSON value");
    }
    return *text;
  }
  if (req.body.empty()) return std::string("null");
  if (!json::accept(req.body)) return Error::bad_request("invalid json: the body is not JSON");
  return req.body;
}

// Resume (approved) or cancel (not approved) a suspended step: recorded, then its flow is
// woken, which counts the answers and goes on, fails, or keeps waiting.
void answer(ApiContext& ctx, http::Request& req, http::ResponderPtr r, bool approved) {
  const std::string ws = req.params["workspace"];
  auto job = job_param(req);
  if (!job) return reply_error(r, job.error());
  auto resume_id = resume_id_param(req);
  if (!resume_id) return reply_error(r, resume_id.error());
  const std::string approver = req.query_param("approver").value_or("");
  if (!auth::constant_time_equal(req.params["signature"],
                                 ctx.auth.resume_signature(*job, *resume_id, approver))) {
    return reply_error(r, Error::permission_denied("invalid signature"));
  }
  auto payload = resume_payload(req);
  if (!payload) return reply_error(r, payload.error());
  auto step = ctx.db.read([&](store::Connection& c) { return store::get_job(c, ws, *job); });
  if (!step) return reply_error(r, step.error());
  std::optional<store::JobView> flow;
  if (*step && (*step)->job.parent_job) {
    auto parent = ctx.db.read(
        [&](store::Connection& c) { return store::get_job(c, ws, *(*step)->job.parent_job); });
    if (!parent) return reply_error(r, parent.error());
    if (*parent && !(*parent)->completed) flow = std::move(**parent);
  }
  if (!flow) {
    return reply_error(
        r, Error::not_found("job not found or its flow is not running any more: " + *job));
  }
  store::ResumeRecord rec;
  rec.job = *job;
  rec.resume_id = *resume_id;
  rec.flow = flow->job.id;
  rec.value_json = std::move(*payload);
  if (!approver.empty()) rec.approver = approver;
  rec.approved = approved;
  rec.created_at = ctx.clock.now_ms();
  ctx.db.write(
      [rec](store::Connection& c) -> Status {
        auto inserted = store::insert_resume(c, rec);
        if (!inserted) return inserted.error();
        if (!*inserted) return Error::bad_request("resume request already sent");
        return Status::ok();
      },
      [&ctx, r, flow_id = flow->job.id](const Status& s) {
        if (!s) return reply_error(r, s.error());
        ctx.queue.wake(flow_id);
        reply_text(r, 201, "");
      });
}

void resume(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  answer(ctx, req, std::move(r), true);
}

void cancel(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  answer(ctx, req, std::move(r), false);
}

}  // namespace

void add_flow_resume_routes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/w/:workspace/jobs/resume_urls/:id/:resume_id",
             bind_handler(ctx, resume_urls));
  const std::string tail = "/:id/:resume_id/:signature";
  for (const char* method : {"GET", "POST"}) {
    router.add(method, "/api/w/:workspace/jobs_u/resume" + tail, bind_handler(ctx, resume));
    router.add(method, "/api/w/:workspace/jobs_u/cancel" + tail, bind_handler(ctx, cancel));
  }
}

}  // namespace millrace::api
