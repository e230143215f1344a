// Approval steps of flows (Windmill's suspend): the signed URLs that resume or cancel a flow
// suspended after a step. `jobs/resume_urls` hands them out (to the step itself, through its
// WM_TOKEN, or to anyone who may call the API); whoever holds one may answer it, without a
// token: the signature is the credential.
#include <nlohmann/json.hpp>

#include "api/job_access.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/authenticator.h"
#include "auth/token.h"
#include "common/base64.h"
#include "common/strings.h"
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
  if (auto id = parse_int64(text); id && *id >= 0 && *id <= 0xffffffffll) return *id;
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

// The step named in the URL, and the flow it belongs to while that flow is not over.
struct StepAndFlow {
  store::JobView step;
  store::JobView flow;
};

Result<StepAndFlow> step_and_flow(ApiContext& ctx, const std::string& ws, const std::string& job) {
  auto step = ctx.db.read([&](store::Connection& c) { return store::get_job(c, ws, job); });
  if (!step) return step.error();
  std::optional<store::JobView> flow;
  if (*step && (*step)->job.parent_job) {
    auto parent = ctx.db.read(
        [&](store::Connection& c) { return store::get_job(c, ws, *(*step)->job.parent_job); });
    if (!parent) return parent.error();
    if (*parent && !(*parent)->completed && queue::is_flow_job((*parent)->job)) {
      flow = std::move(**parent);
    }
  }
  if (!flow) return Error::not_found("job not found or its flow is not running any more: " + job);
  return StepAndFlow{std::move(**step), std::move(*flow)};
}

void resume_urls(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto job = job_param(req);
  if (!job) return reply_error(r, job.error());
  auto resume_id = resume_id_param(req);
  if (!resume_id) return reply_error(r, resume_id.error());
  // Only for a step of a flow of this workspace that is still running, that the caller may see.
  auto found = step_and_flow(ctx, ws, *job);
  if (!found) return reply_error(r, found.error());
  if (auto seen = may_see_job(ctx, *who, ws, found->step.job); !seen) {
    return reply_error(r, seen.error());
  }
  const std::string approver = req.query_param("approver").value_or("");
  const std::string tail = "/" + *job + "/" + std::to_string(*resume_id) + "/" +
                           ctx.auth.resume_signature(ws, *job, *resume_id, approver) +
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

// What the step's `suspend` asks of an approver: with user_auth_required, a logged-in member
// of the workspace (answered: their user name), not the flow's own author when
// self_approval_disabled. Groups do not exist here, so a step that requires some cannot be
// approved. Answers the approver's name, or empty when anyone holding the link may answer.
Result<std::string> approval_policy(ApiContext& ctx, const http::Request& req,
                                    const std::string& ws, const StepAndFlow& found) {
  auto value = json::parse(found.flow.job.raw_flow.value_or("{}"), nullptr, false);
  const json* suspend = nullptr;
  if (value.is_object() && value.contains("modules") && value["modules"].is_array()) {
    for (const auto& m : value["modules"]) {
      if (m.is_object() && m.contains("suspend") && m["suspend"].is_object() &&
          m.value("id", json()) == found.step.job.flow_step_id.value_or("")) {
        suspend = &m["suspend"];
      }
    }
  }
  if (!suspend) return std::string();
  auto flag = [&](const char* key) { return suspend->value(key, json()) == true; };
  if (suspend->contains("user_groups_required") && !(*suspend)["user_groups_required"].is_null()) {
    return Error::permission_denied(
        "this step may only be approved by members of certain groups, and Millrace has no "
        "groups yet");
  }
  if (!flag("user_auth_required")) return std::string();
  auto who = authorize(ctx, req, ws);
  if (!who) return Error::unauthorized("Only logged in users can approve this flow step");
  if (flag("self_approval_disabled") && who->email == found.flow.job.email) {
    return Error::permission_denied("Self-approval is disabled for this flow step");
  }
  return who->username;
}

// Resume (approved) or cancel (not approved) a suspended step: recorded, then its flow is
// woken, which counts the answers and goes on, fails, or keeps waiting.
void answer(ApiContext& ctx, http::Request& req, http::ResponderPtr r, bool approved) {
  const std::string ws = req.params["workspace"];
  auto job = job_param(req);
  if (!job) return reply_error(r, job.error());
  auto resume_id = resume_id_param(req);
  if (!resume_id) return reply_error(r, resume_id.error());
  std::string approver = req.query_param("approver").value_or("");
  if (!auth::constant_time_equal(req.params["signature"],
                                 ctx.auth.resume_signature(ws, *job, *resume_id, approver))) {
    return reply_error(r, Error::permission_denied("invalid signature"));
  }
  auto payload = resume_payload(req);
  if (!payload) return reply_error(r, payload.error());
  auto found = step_and_flow(ctx, ws, *job);
  if (!found) return reply_error(r, found.error());
  auto logged_in = approval_policy(ctx, req, ws, *found);
  if (!logged_in) return reply_error(r, logged_in.error());
  if (!logged_in->empty()) approver = *logged_in;  // answers under their own name
  store::ResumeRecord rec;
  rec.job = *job;
  rec.resume_id = *resume_id;
  rec.flow = found->flow.job.id;
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
      [&ctx, r, flow_id = rec.flow](const Status& s) {
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
