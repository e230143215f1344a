// The flow state machine (docs/architecture.md, "How a flow runs"). A flow run is a job whose
// `flow_status` records where it is; each step runs as a child job. When a worker claims a
// flow job it calls advance(): from the stored state and the stored outcomes of its steps,
// the flow moves as far as it can without waiting — evaluating input transforms, skipping,
// mocking, choosing branches — and either finishes, or starts the next step jobs and waits.
// The new state and the new steps are committed in one transaction (JobQueue::park), and a
// step's outcome, once committed, wakes its flow: a crash leaves every flow either before or
// after an advance, never in between, and advancing again is harmless (at start, every flow
// that had started is advanced again).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "queue/job_queue.h"

namespace millrace::store {
class Database;
}

namespace millrace::flow {

class Expressions;

struct Advance {
  // Exactly one of the two: the flow is over, or it waits (for steps, or asleep).
  std::optional<queue::JobOutcome> finished;
  std::optional<queue::FlowAdvance> waits;
  // The flow's early_return step is done: its sync callers get this result now.
  std::optional<std::string> early_result;
  // Steps still running when the flow ended (canceled, or failed in a parallel loop).
  std::vector<std::string> cancel_steps;
};

class FlowEngine {
 public:
  FlowEngine(store::Database& db, const Expressions& expressions, const Clock& clock);
  Advance advance(const queue::ClaimedJob& flow);

 private:
  store::Database& db_;
  const Expressions& expressions_;
  const Clock& clock_;
};

}  // namespace millrace::flow
