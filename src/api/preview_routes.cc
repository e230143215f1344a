// Unsaved code and flows, run from the editor and the flow builder before they are saved, as on
// Windmill: jobs/run/preview (a script's code, language and arguments) and
// jobs/run/preview_flow (a flow value), async (201 + id) or waited for (run_wait_result). No
// version is made; the job carries what it runs. And scripts/infer_schema: the argument form
// the editor shows as the code is typed, from the same parser that saving uses.
//
// Running code that nobody saved is not a webhook: a token limited to some scripts or flows
// may not (it would run anything), nor may an operator (who may run, never write, code).
#include <nlohmann/json.hpp>

#include "api/code_limits.h"
#include "api/flow_body.h"
#include "api/idempotency.h"
#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/run_answer.h"
#include "api/runnable.h"
#include "auth/scopes.h"
#include "queue/new_job.h"
#include "runtime/schema.h"
#include "runtime/signature.h"
#include "service/references.h"

namespace millrace::api {
namespace {

using nlohmann::json;

Status may_run_unsaved(const auth::Identity& who, const std::string& kind) {
  if (!auth::scopes_allow_any_run(who.scopes, kind)) {
    return Error::permission_denied("Required scope: jobs:run:" + kind +
                                    " (a preview runs code that no path names)");
  }
  if (who.is_operator) {
    return Error::permission_denied("Operators cannot run preview jobs for security reasons");
  }
  return Status::ok();
}

struct Code {
  std::string language;
  std::string content;
};

// The body's `language` (a known one) and `content` (within SCRIPT_SIZE_LIMIT).
Result<Code> code_of(const Config& config, const json& b, const char* what) {
  if (!b.is_object()) return json_data_error(std::string("expected ") + what);
  for (const char* f : {"content", "language"}) {
    if (!b.contains(f)) return json_data_error(std::string("missing field `") + f + "`");
    if (!b[f].is_string()) return json_data_error(std::string(f) + ": expected a string");
  }
  Code c{b["language"].get<std::string>(), b["content"].get<std::string>()};
  if (!is_known_language(c.language)) {
    return json_data_error("language: unknown variant `" + c.language + "`");
  }
  MR_TRY(check_code_size(config, c.content));
  return c;
}

// The body's `args` (an object; absent is none) and `path` (optional, must be a valid path).
struct PreviewCommon {
  std::string args_json = "{}";
  std::optional<std::string> path;
};

Result<PreviewCommon> common_fields(const json& b) {
  PreviewCommon c;
  if (b.contains("args") && !b["args"].is_null()) {
    if (!b["args"].is_object()) return json_data_error("args: expected an object");
    c.args_json = b["args"].dump();
  }
  if (b.contains("path") && !b["path"].is_null() && b["path"] != "") {
    if (!b["path"].is_string()) return json_data_error("path: expected a string");
    c.path = b["path"].get<std::string>();
    if (!is_valid_script_path(*c.path)) return invalid_path_error(*c.path);
  }
  return c;
}

void answer(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
            queue::JobRequest request, const char* operation, bool wait,
            const http::ResponderPtr& r) {
  request.origin = caller_origin(who, ws);
  queue::NewJob job = queue::make_job(std::move(request), ctx.clock.now_ms());
  const auto& j = job.job;
  json params = {{"uuid", j.id}, {"permissioned_as", j.permissioned_as}};
  if (j.token_prefix) params["token_prefix"] = *j.token_prefix;
  job.audit = audit_record(ctx, who, ws, {operation, "Execute", j.script_path, params.dump()});
  const IdempotentCall no_key(ctx, ws, "", std::nullopt, "", ReplayMode::kAsync);
  enqueue_and_answer(ctx, std::move(job), wait ? RunAnswer::kResult : RunAnswer::kJobId,
                     who.username, no_key, r);
}

// What both previews start from: the caller (who may run unsaved code of `kind`), the body (an
// object, named `what` in the error), and its args (whose references the caller's scopes
// allow) and path.
struct PreviewRequest {
  auth::Identity who;
  json body;
  PreviewCommon common;
};

Result<PreviewRequest> preview_request(ApiContext& ctx, http::Request& req, const std::string& ws,
                                       const std::string& kind, const char* what) {
  auto who = authorize(ctx, req, ws);
  if (!who) return who.error();
  MR_TRY(may_run_unsaved(*who, kind));
  auto text = json_body_text(req);
  if (!text) return text.error();
  json b = json::parse(*text);
  if (!b.is_object()) return json_data_error(std::string("expected ") + what);
  auto common = common_fields(b);
  if (!common) return common.error();
  MR_TRY(service::References::check_scopes(who->scopes, common->args_json));
  return PreviewRequest{std::move(*who), std::move(b), std::move(*common)};
}

void run_preview(ApiContext& ctx, http::Request& req, const http::ResponderPtr& r, bool wait) {
  const std::string ws = req.params["workspace"];
  auto p = preview_request(ctx, req, ws, "scripts", "a Preview object");
  if (!p) return reply_error(r, p.error());
  auto code = code_of(ctx.config, p->body, "a Preview object");
  if (!code) return reply_error(r, code.error());
  const json& kind = p->body.contains("kind") ? p->body["kind"] : json();
  if (!kind.is_null() && kind != "code") {
    return reply_error(r, Error::bad_request("only previews of kind `code` run here"));
  }
  queue::JobRequest request;
  request.args_json = std::move(p->common.args_json);
  request.target = queue::InlineCodeTarget{code->language, std::move(code->content),
                                           p->common.path.value_or(""), true};
  answer(ctx, p->who, ws, std::move(request), "jobs.run.preview", wait, r);
}

void run_flow_preview(ApiContext& ctx, http::Request& req, const http::ResponderPtr& r, bool wait) {
  const std::string ws = req.params["workspace"];
  auto p = preview_request(ctx, req, ws, "flows", "a FlowPreview object");
  if (!p) return reply_error(r, p.error());
  if (!p->body.contains("value")) return reply_error(r, json_data_error("missing field `value`"));
  if (auto st = check_flow_value(p->body["value"]); !st) return reply_error(r, st.error());
  queue::JobRequest request;
  request.args_json = std::move(p->common.args_json);
  request.target = flow_target(p->common.path, p->body["value"].dump(), true);
  answer(ctx, p->who, ws, std::move(request), "jobs.run.flow_preview", wait, r);
}

template <bool Wait>
void preview_route(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  run_preview(ctx, req, r, Wait);
}

template <bool Wait>
void flow_preview_route(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  run_flow_preview(ctx, req, r, Wait);
}

// {language, content} → {schema, has_preprocessor}; schema is null for a language whose
// signature is not read.
void infer_schema(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  auto code = code_of(ctx.config, json::parse(*text), "an object");
  if (!code) return reply_error(r, code.error());
  auto schema = runtime::infer_schema(code->language, code->content);
  json out = {{"schema", schema ? json::parse(*schema) : json(nullptr)},
              {"has_preprocessor", runtime::declares_preprocessor(code->language, code->content)}};
  reply_json(r, 200, out.dump());
}

}  // namespace

void add_preview_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/jobs";
  router.add("POST", base + "/run/preview", bind_handler(ctx, preview_route<false>));
  router.add("POST", base + "/run_wait_result/preview", bind_handler(ctx, preview_route<true>));
  router.add("POST", base + "/run/preview_flow", bind_handler(ctx, flow_preview_route<false>));
  router.add("POST", base + "/run_wait_result/preview_flow",
             bind_handler(ctx, flow_preview_route<true>));
  router.add("POST", "/api/w/:workspace/scripts/infer_schema", bind_handler(ctx, infer_schema));
}

}  // namespace millrace::api
