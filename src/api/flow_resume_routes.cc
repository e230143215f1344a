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
#include "flow/approvals.h"

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

void resume_urls(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto job = job_param(req);
  if (!job) return reply_error(r, job.error());
  auto resume_id = resume_id_param(req);
  if (!resume_id) return reply_error(r, resume_id.error());
  // Only for a step of a flow of this workspace that is still running, that the caller may see.
  auto found = ctx.approvals.find(ws, *job);
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
                                    const std::string& ws, const flow::SuspendedStep& found) {
  const flow::ApprovalRules rules = flow::Approvals::rules_of(found);
  if (rules.groups_required) {
    return Error::permission_denied(
        "this step may only be approved by members of certain groups, and Millrace has no "
        "groups yet");
  }
  if (!rules.user_auth_required) return std::string();
  auto who = authorize(ctx, req, ws);
  if (!who) return Error::unauthorized("Only logged in users can approve this flow step");
  if (rules.self_approval_disabled && who->email == found.flow.job.email) {
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
  auto found = ctx.approvals.find(ws, *job);
  if (!found) return reply_error(r, found.error());
  auto logged_in = approval_policy(ctx, req, ws, *found);
  if (!logged_in) return reply_error(r, logged_in.error());
  if (!logged_in->empty()) approver = *logged_in;  // answers under their own name
  flow::ApprovalAnswer given{*job, *resume_id, std::move(*payload), std::nullopt, approved};
  if (!approver.empty()) given.approver = approver;
  ctx.approvals.answer(*found, std::move(given), [r](const Status& s) {
    if (!s) return reply_error(r, s.error());
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
