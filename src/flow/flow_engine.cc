#include "flow/flow_engine.h"

#include "common/log.h"
#include "flow/flow_run.h"

namespace millrace::flow {

FlowEngine::FlowEngine(store::Database& db, const Expressions& expressions, const Clock& clock)
    : db_(db), expressions_(expressions), clock_(clock) {}

Advance FlowEngine::advance(const queue::ClaimedJob& flow) {
  const EpochMs now = clock_.now_ms();
  std::string why;
  try {
    return FlowRun(db_, expressions_, now, flow).run();
  } catch (const StoreUnavailable& e) {
    // Nothing of this advance is kept: the flow, as stored, is advanced again in a second.
    log::warn("flow " + flow.job.id + " waits: " + e.what(), {{"job_id", flow.job.id}});
    Advance out;
    out.waits = queue::FlowAdvance{flow.job.flow_status.value_or("{}"), {}, now + 1000};
    return out;
  } catch (const std::exception& e) {
    why = e.what();
  }
  try {
    return FlowRun(db_, expressions_, now, flow).abandon(why);
  } catch (const std::exception&) {
    Advance out;  // not even its state can be read: it ends with the reason alone
    out.finished = queue::JobOutcome{
        JobStatus::Failure, text_of(error_result("ExecutionErr", "the flow cannot go on: " + why)),
        "", std::nullopt};
    return out;
  }
}

}  // namespace millrace::flow
