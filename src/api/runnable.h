// What a webhook or an HTTP route runs: a script (its latest version by path, or a version by
// hash) or a flow (its latest version by path, or a version), resolved to what its job needs.
// Archived means stopped, by path and by version, until it is unarchived: 404.
#pragma once

#include <optional>
#include <string>

#include "api/context.h"
#include "common/error.h"
#include "queue/new_job.h"

namespace millrace::api {

enum class RunTarget { kPath, kHash, kFlowPath, kFlowVersion };

struct Runnable {
  std::string scope_kind;  // scripts | flows (jobs:run:<kind>:<path>)
  std::string path;
  std::optional<std::string> script_hash;
  std::optional<std::string> language;
  std::optional<int64_t> timeout_s;
  std::optional<int64_t> flow_version;
  std::optional<std::string> raw_flow;
  std::optional<std::string> schema_json;  // what the arguments are checked against
  // A trigger's call (webhook, route) goes through its preprocessor: a script's `preprocessor`
  // function, a flow's preprocessor_module.
  bool has_preprocessor = false;

  bool is_flow() const { return raw_flow.has_value(); }
  // "script not found at name <path>" / "flow ...": what a caller who may not read it is told.
  Error hidden() const;
};

Result<Runnable> resolve_runnable(ApiContext& ctx, const std::string& ws, RunTarget target,
                                  const std::string& id);

// Whether `who` may run it: their token's scope (403), and their rights on its path — a member
// runs what they may read (their u/ paths, folders that let them), as if the rest were not
// there (404); admins run everything.
Status check_may_run(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                     const Runnable& runnable);

// The request's target: the script version, or the flow with its initial state (there from
// the start: `wmill flow run` reads its modules at once). Moves the flow's value out.
void set_job_target(queue::JobRequest& request, Runnable& runnable);

// A flow's target, with its initial state: a saved flow's, or an unsaved one (`preview`).
queue::FlowTarget flow_target(std::optional<std::string> path, std::string value_json,
                              bool preview);

// The `jobs.run.script` / `jobs.run.flow` audit parameters of the job `j` runs.
std::string run_audit_params(const store::JobRecord& j, const Runnable& runnable);

}  // namespace millrace::api
