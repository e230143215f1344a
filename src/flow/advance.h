// What one advance of a flow decided: the flow is over, or it waits (for its steps, or asleep).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "queue/job_queue.h"

namespace millrace::flow {

struct Advance {
  // Exactly one of the two: the flow is over, or it waits (for steps, or asleep).
  std::optional<queue::JobOutcome> finished;
  std::optional<queue::ChildrenWait> waits;
  // The flow's early_return step is done: its sync callers get this result now.
  std::optional<std::string> early_result;
  // Steps still running when the flow ended (canceled, or failed in a parallel loop).
  std::vector<std::string> cancel_steps;
};

}  // namespace millrace::flow
