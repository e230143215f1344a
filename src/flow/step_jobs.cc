#include "flow/step_jobs.h"

#include "common/uuid.h"
#include "flow/flow_status.h"
#include "store/database.h"
#include "store/flows.h"
#include "store/scripts.h"

namespace millrace::flow {

queue::NewJob step_job(const store::JobRecord& flow, const std::string& step_id, EpochMs now) {
  queue::NewJob out;
  auto& j = out.job;
  j.id = new_uuid_v7(now);
  j.workspace_id = flow.workspace_id;
  j.created_at = now;
  j.created_by = flow.created_by;
  j.permissioned_as = flow.permissioned_as;
  j.email = flow.email;
  j.parent_job = flow.id;
  j.root_job = flow.root_job.value_or(flow.id);
  j.flow_step_id = step_id;
  j.token_prefix = flow.token_prefix;
  j.priority = flow.priority;
  j.tag = flow.tag;
  j.same_worker = flow.same_worker;
  out.scheduled_for = now;
  return out;
}

Result<queue::NewJob> module_job(store::Database& db, const store::JobRecord& flow,
                                 const std::string& step_id, const ojson& v, const ojson& args,
                                 std::optional<int64_t> timeout_s, EpochMs now) {
  queue::NewJob out = step_job(flow, step_id, now);
  auto& j = out.job;
  j.args_json = text_of(args);
  j.timeout_s = timeout_s;
  const std::string type = v.value("type", "");
  const std::string path =
      v.contains("path") && v["path"].is_string() ? v["path"].get<std::string>() : std::string();
  if (type == "rawscript") {
    j.kind = JobKind::FlowScript;
    j.language = v.value("language", "");
    j.raw_code = v.value("content", "");
    j.script_path = path.empty() ? flow.script_path.value_or("") + "/" + step_id : path;
    j.tag = *j.language;
    return out;
  }
  if (type == "script") {
    const std::string hash =
        v.contains("hash") && v["hash"].is_string() ? v["hash"].get<std::string>() : "";
    auto found = db.read([&](store::Connection& c) {
      return hash.empty() ? store::latest_script(c, flow.workspace_id, path)
                          : store::find_script_by_hash(c, flow.workspace_id, hash);
    });
    if (!found) return found.error();
    if (!*found) {
      return Error::not_found(hash.empty() ? "script not found at path " + path
                                           : "script not found with hash " + hash);
    }
    j.kind = JobKind::Script;
    j.script_hash = (*found)->hash;
    j.script_path = (*found)->path;
    j.language = (*found)->language;
    j.tag = (*found)->language;
    if (!j.timeout_s) j.timeout_s = (*found)->timeout_s;
    return out;
  }
  if (type == "flow") {
    auto found =
        db.read([&](store::Connection& c) { return store::find_flow(c, flow.workspace_id, path); });
    if (!found) return found.error();
    // Archived flows still run, as by their webhook (and as archived scripts do).
    if (!*found) return Error::not_found("flow not found at path " + path);
    j.kind = JobKind::Flow;
    j.script_path = path;
    j.raw_flow = (*found)->value_json;
    return out;
  }
  return Error::bad_request("modules of type `" + type + "` do not run jobs");
}

queue::NewJob body_job(const store::JobRecord& flow, const std::string& step_id,
                       const ojson& flow_value, const ojson& modules, const ojson& args,
                       EpochMs now) {
  queue::NewJob out = step_job(flow, step_id, now);
  auto& j = out.job;
  j.kind = JobKind::FlowNode;
  j.script_path = flow.script_path;
  ojson body = {{"modules", modules}};
  // What the steps of a body see of their flow.
  for (const char* key : {"flow_env", "same_worker"}) {
    if (flow_value.contains(key)) body[key] = flow_value[key];
  }
  j.raw_flow = text_of(body);
  j.flow_status = FlowStatus::initial(modules).to_text();
  j.args_json = text_of(args);
  return out;
}

}  // namespace millrace::flow
