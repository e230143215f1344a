// Every job row is made here, whatever starts it: a webhook or the app (jobs/run/...), the CLI's
// lock jobs, a flow's steps and its loop iterations and branches. What differs between them is
// on whose behalf the job runs (JobOrigin) and what it runs (JobTarget); the rest — its id, its
// time, its tag, its timeout, the flow state it starts from — follows one set of rules. A new
// way in (a schedule, an HTTP route, a preview, a replay) is a new origin, not a new copy.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "common/clock.h"
#include "common/job_types.h"
#include "queue/job_queue.h"

namespace millrace::queue {

struct JobOrigin {
  std::string workspace_id;
  std::string created_by;       // the name jobs show: a token's label (webhook-x), or a user
  std::string permissioned_as;  // u/<username>: whose rights it runs with
  std::string email;
  std::optional<std::string> token_prefix;  // the token that started it
  std::optional<TriggerKind> trigger;
  std::optional<std::string> parent_job;
  std::optional<std::string> root_job;
  // A flow's step: the module it runs, and what it inherits from its flow.
  std::optional<std::string> flow_step_id;
  int64_t priority = 0;
  std::string tag;  // inherited from a flow; empty: the target's
  bool same_worker = false;

  // A step of `flow`, for its module `step_id`: a child of the flow, in the flow's root, on
  // behalf of whoever started the flow.
  static JobOrigin step_of(const store::JobRecord& flow, const std::string& step_id);
};

// A saved script version.
struct ScriptTarget {
  std::string hash;
  std::string path;
  std::string language;
  std::optional<int64_t> timeout_s;  // the script's own
};
// Code carried by the job (a flow's inline step).
struct InlineCodeTarget {
  std::string language;
  std::string code;
  std::string path;
  bool preview = false;  // unsaved code run from the editor, not a flow's step
};
// A flow: a saved one (kind flow), or the body of a loop iteration or branch (flownode).
struct FlowTarget {
  std::optional<std::string> path;
  std::string value_json;
  std::optional<std::string> initial_status;  // absent: the engine starts it from the value
  bool body = false;
  // A flow started by a caller: whether its value asks for same_worker (its steps then share a
  // folder named after it, so it is their root whatever the origin says). Absent (a sub-flow):
  // the origin's.
  std::optional<bool> same_worker;
  bool preview = false;  // an unsaved flow run from the flow builder
};
// A lock job for a script or a flow (JobKind::Dependencies or FlowDependencies), as the CLI
// starts it or as a saved version starts it.
// With a hash: the lock of a saved version, stored with it when resolved.
struct LockTarget {
  JobKind kind = JobKind::Dependencies;
  std::optional<std::string> path;
  std::optional<std::string> hash;
};
using JobTarget = std::variant<ScriptTarget, InlineCodeTarget, FlowTarget, LockTarget>;

struct JobRequest {
  JobOrigin origin;
  JobTarget target;
  std::string args_json = "{}";
  std::optional<std::string> id;            // chosen by the caller (who checked it is unused)
  std::optional<EpochMs> scheduled_for;     // absent: now
  std::optional<int64_t> timeout_s;         // absent: the target's
  std::optional<store::AuditRecord> audit;  // written with the job
  bool preprocess = false;                  // args are an event for the preprocessor
};

NewJob make_job(JobRequest request, EpochMs now);

}  // namespace millrace::queue
