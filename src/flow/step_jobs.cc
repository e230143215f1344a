#include "flow/step_jobs.h"

#include "flow/flow_status.h"
#include "queue/new_job.h"
#include "store/database.h"
#include "store/flows.h"
#include "store/scripts.h"

namespace millrace::flow {

Result<queue::NewJob> module_job(store::Database& db, StepAccess* access,
                                 const store::JobRecord& flow, const std::string& step_id,
                                 const ojson& v, const ojson& args,
                                 std::optional<int64_t> timeout_s, EpochMs now) {
  queue::JobRequest request;
  request.origin = queue::JobOrigin::step_of(flow, step_id);
  request.args_json = text_of(args);
  request.timeout_s = timeout_s;
  const std::string type = v.value("type", "");
  const std::string path = str(v, "path");
  if (type == "rawscript") {
    request.target =
        queue::InlineCodeTarget{v.value("language", ""), v.value("content", ""),
                                // A step of a flow with no path (a preview) has none either.
                                !path.empty()      ? path
                                : flow.script_path ? *flow.script_path + "/" + step_id
                                                   : "",
                                false};
    return queue::make_job(std::move(request), now);
  }
  if (type == "script") {
    const std::string hash = str(v, "hash");
    auto found = db.read([&](store::Connection& c) {
      return hash.empty() ? store::latest_script(c, flow.workspace_id, path)
                          : store::find_script_by_hash(c, flow.workspace_id, hash);
    });
    if (!found) return found.error();
    if (!*found) {
      return Error::not_found(hash.empty() ? "script not found at path " + path
                                           : "script not found with hash " + hash);
    }
    if (access) MR_TRY(access->may_run(flow, "script", (*found)->path));
    request.target = queue::ScriptTarget{(*found)->hash, (*found)->path, (*found)->language,
                                         (*found)->timeout_s};
    return queue::make_job(std::move(request), now);
  }
  if (type == "flow") {
    auto found =
        db.read([&](store::Connection& c) { return store::find_flow(c, flow.workspace_id, path); });
    if (!found) return found.error();
    // Archived flows still run, as by their webhook (and as archived scripts do).
    if (!*found) return Error::not_found("flow not found at path " + path);
    if (access) MR_TRY(access->may_run(flow, "flow", path));
    request.target = queue::FlowTarget{path, (*found)->value_json, std::nullopt, false, {}, false};
    return queue::make_job(std::move(request), now);
  }
  return Error::bad_request("modules of type `" + type + "` do not run jobs");
}

queue::NewJob body_job(const store::JobRecord& flow, const std::string& step_id,
                       const ojson& flow_value, const ojson& modules, const ojson& args,
                       EpochMs now) {
  ojson body = {{"modules", modules}};
  // What the steps of a body see of their flow.
  for (const char* key : {"flow_env", "same_worker"}) {
    if (flow_value.contains(key)) body[key] = flow_value[key];
  }
  queue::JobRequest request;
  request.origin = queue::JobOrigin::step_of(flow, step_id);
  request.target = queue::FlowTarget{
      flow.script_path, text_of(body), FlowStatus::initial(modules).to_text(), true, {}, false};
  request.args_json = text_of(args);
  return queue::make_job(std::move(request), now);
}

}  // namespace millrace::flow
