// The jobs a flow starts: one per script step (rawscript, script, sub-flow), one per loop
// iteration or branch (a `flownode` job running that body as a flow of its own). Each is a
// child of the flow (queue::JobOrigin::step_of), made by queue::make_job.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "flow/json_fields.h"
#include "flow/step_access.h"
#include "queue/job_queue.h"

namespace millrace::store {
class Database;
}

namespace millrace::flow {

// The job that runs a rawscript, script or flow module with `args`; 404-like errors in words
// when what it names does not exist.
// `access` (when set) decides whether the flow's user may run a script or flow it names.
Result<queue::NewJob> module_job(store::Database& db, StepAccess* access,
                                 const store::JobRecord& flow, const std::string& step_id,
                                 const ojson& module_value, const ojson& args,
                                 std::optional<int64_t> timeout_s, EpochMs now);

// The job that runs `modules` as a flow (a loop iteration or a branch) with `args`: as in
// Windmill, its first step's previous_result is that input (the flow's, plus `iter` in a loop).
queue::NewJob body_job(const store::JobRecord& flow, const std::string& step_id,
                       const ojson& flow_value, const ojson& modules, const ojson& args,
                       EpochMs now);

}  // namespace millrace::flow
