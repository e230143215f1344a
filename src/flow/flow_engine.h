// The flow state machine (docs/architecture.md, "How a flow runs"). A flow run is a job whose
// `flow_status` (flow_status.h) records where it is; each step runs as a child job. When a
// worker claims a flow job it calls advance(): from the stored state and the stored outcomes of
// its steps, the flow moves as far as it can without waiting (flow_run.h, one handler per kind
// of module in flow/modules/) and either finishes, or starts the next step jobs and waits.
// The new state and the new steps are committed in one transaction (to the queue a flow is a
// parent that waits for its children: JobQueue::wait_for_children), and a step's outcome, once
// committed, wakes its flow: a crash leaves every flow either before or
// after an advance, never in between, and advancing again is harmless (at start, every flow
// that had started is advanced again).
#pragma once

#include "common/clock.h"
#include "flow/advance.h"
#include "flow/step_access.h"
#include "queue/job_queue.h"

namespace millrace::store {
class Database;
}
namespace millrace::runtime {
class JobRunner;
}

namespace millrace::flow {

class Expressions;

class FlowEngine {
 public:
  // `access`: who may run what a step names (absent: anyone, for the engine's own tests).
  FlowEngine(store::Database& db, const Expressions& expressions, const Clock& clock,
             StepAccess* access = nullptr);
  // Never throws: a flow whose store cannot be read waits a second and is advanced again; a
  // flow that cannot go on (its state or value broken) fails with the reason.
  Advance advance(const queue::ClaimedJob& flow);
  // A worker's turn with a claimed flow: advances it and hands the queue what that decided.
  // The flow ends (its outcome stored, a same_worker flow's shared folder removed), or it
  // waits for the steps it started; an early_return answers its sync callers at once, and
  // steps still running when it ended are canceled.
  void advance_claimed(const queue::ClaimedJob& flow, queue::JobQueue& queue,
                       runtime::JobRunner& runner, const std::string& worker);

 private:
  store::Database& db_;
  const Expressions& expressions_;
  const Clock& clock_;
  StepAccess* access_;
};

}  // namespace millrace::flow
