#include "api/runnable.h"

#include <nlohmann/json.hpp>

#include "api/path_access.h"
#include "auth/scopes.h"
#include "common/strings.h"
#include "flow/flow_status.h"
#include "runtime/signature.h"

namespace millrace::api {
namespace {

Result<Runnable> flow_runnable(std::optional<store::FlowRecord> found, const std::string& missing) {
  if (!found) return Error::not_found(missing);
  if (found->archived) return Error::not_found("flow " + found->path + " is archived");
  Runnable r{"flows",
             found->path,
             std::nullopt,
             std::nullopt,
             std::nullopt,
             found->version_id,
             std::move(found->value_json),
             std::move(found->schema_json),
             false};
  // Asked at every webhook call: a flow without the word is not parsed for it.
  if (r.raw_flow->find("\"preprocessor_module\"") != std::string::npos) {
    auto value = nlohmann::json::parse(*r.raw_flow, nullptr, false);
    r.has_preprocessor = value.is_object() && value.contains("preprocessor_module") &&
                         value["preprocessor_module"].is_object();
  }
  return r;
}

}  // namespace

Error Runnable::hidden() const {
  return Error::not_found((is_flow() ? "flow" : "script") + std::string(" not found at name ") +
                          path);
}

Result<Runnable> resolve_runnable(ApiContext& ctx, const std::string& ws, RunTarget target,
                                  const std::string& id) {
  if (target == RunTarget::kPath || target == RunTarget::kHash) {
    auto script =
        target == RunTarget::kPath ? ctx.scripts.latest(ws, id) : ctx.scripts.version(ws, id);
    if (!script) return script.error();
    const auto& s = **script;
    // A version that was overwritten is archived too, and still runs by hash while its script
    // is live: what stops it is its script's head being archived.
    auto head = target == RunTarget::kPath ? script : ctx.scripts.latest(ws, s.path);
    if (!head) return head.error();
    if ((*head)->archived) return Error::not_found("script " + s.path + " is archived");
    return Runnable{
        "scripts",    s.path,        s.hash,
        s.language,   s.timeout_s,   std::nullopt,
        std::nullopt, s.schema_json, runtime::declares_preprocessor(s.language, s.content)};
  }
  if (target == RunTarget::kFlowPath) {
    auto found = ctx.flows.find(ws, id);
    if (!found) return found.error();
    return flow_runnable(std::move(*found), "flow not found at name " + id);
  }
  auto version = parse_int64(id);
  if (!version) return Error::bad_request("invalid flow version " + id + ": not an integer");
  auto found = ctx.flows.find_version(ws, *version);
  if (!found) return found.error();
  return flow_runnable(std::move(*found), "Flow version " + id + " not found");
}

Status check_may_run(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                     const Runnable& runnable) {
  if (!auth::scopes_allow_run(who.scopes, runnable.scope_kind, runnable.path)) {
    return Error::permission_denied("Required scope: jobs:run:" + runnable.scope_kind + ":" +
                                    runnable.path);
  }
  auto readable = may_read_path(ctx, who, ws, runnable.path);
  if (!readable) return readable.error();
  if (!*readable) return runnable.hidden();
  return Status::ok();
}

queue::FlowTarget flow_target(std::optional<std::string> path, std::string value_json,
                              bool preview) {
  auto value = flow::ojson::parse(value_json, nullptr, false);
  const flow::ojson* modules =
      value.is_object() && value.contains("modules") ? &value["modules"] : nullptr;
  std::string initial =
      flow::FlowStatus::initial(modules ? *modules : flow::ojson::array()).to_text();
  const bool same_worker = value.is_object() && value.value("same_worker", flow::ojson()) == true;
  return queue::FlowTarget{std::move(path), std::move(value_json), std::move(initial),
                           false,           same_worker,           preview};
}

void set_job_target(queue::JobRequest& request, Runnable& runnable) {
  if (runnable.raw_flow) {
    request.target = flow_target(runnable.path, std::move(*runnable.raw_flow), false);
    return;
  }
  request.target = queue::ScriptTarget{*runnable.script_hash, runnable.path, *runnable.language,
                                       runnable.timeout_s};
}

std::string run_audit_params(const store::JobRecord& j, const Runnable& runnable) {
  nlohmann::json params = {{"uuid", j.id}, {"permissioned_as", j.permissioned_as}};
  if (j.kind == JobKind::Flow) {
    params["version"] = *runnable.flow_version;
  } else {
    params["hash"] = *j.script_hash;
  }
  if (j.token_prefix) params["token_prefix"] = *j.token_prefix;
  return params.dump();
}

}  // namespace millrace::api
