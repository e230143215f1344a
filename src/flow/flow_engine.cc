#include "flow/flow_engine.h"

#include "common/log.h"
#include "flow/flow_run.h"
#include "runtime/executor.h"

namespace millrace::flow {

FlowEngine::FlowEngine(store::Database& db, const Expressions& expressions, const Clock& clock,
                       StepAccess* access)
    : db_(db), expressions_(expressions), clock_(clock), access_(access) {}

Advance FlowEngine::advance(const queue::ClaimedJob& flow) {
  const EpochMs now = clock_.now_ms();
  std::string why;
  try {
    return FlowRun(db_, expressions_, access_, now, flow).run();
  } catch (const StoreUnavailable& e) {
    // Nothing of this advance is kept: the flow, as stored, is advanced again in a second.
    log::warn("flow " + flow.job.id + " waits: " + e.what(), {{"job_id", flow.job.id}});
    Advance out;
    out.waits = queue::ChildrenWait{flow.job.flow_status.value_or("{}"), {}, now + 1000};
    return out;
  } catch (const std::exception& e) {
    why = e.what();
  }
  try {
    return FlowRun(db_, expressions_, access_, now, flow).abandon(why);
  } catch (const std::exception&) {
    Advance out;  // not even its state can be read: it ends with the reason alone
    out.finished = queue::JobOutcome{
        JobStatus::Failure, text_of(error_result("ExecutionErr", "the flow cannot go on: " + why)),
        "", std::nullopt};
    return out;
  }
}

void FlowEngine::advance_claimed(const queue::ClaimedJob& flow, queue::JobQueue& queue,
                                 runtime::JobRunner& runner, const std::string& worker) {
  Advance next = advance(flow);
  if (next.early_result) queue.answer_waiters_early(flow.job.id, *next.early_result);
  for (const auto& step : next.cancel_steps) {
    auto canceled =
        queue.cancel(flow.job.workspace_id, step, flow.canceled_by.value_or(flow.job.created_by),
                     flow.canceled_reason.value_or("the flow ended"), std::nullopt);
    (void)canceled;  // already done, or gone: nothing left to stop
  }
  if (next.finished) {
    if (flow.job.same_worker && !flow.job.root_job) runner.remove_shared_folder(flow.job.id);
    return queue.complete(flow, std::move(*next.finished), worker);
  }
  queue.wait_for_children(flow, std::move(*next.waits));
}

}  // namespace millrace::flow
