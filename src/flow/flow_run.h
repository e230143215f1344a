// One advance of one flow job: from its stored state and its steps' outcomes, the modules are
// taken in order — each started, or followed, by its handler (flow/modules/) — and after each
// one ends, what the flow says about it: continue_on_error, early_return, stop_after_if, an
// approval (suspend), a sleep. A failure goes to the failure module. The advance stops at the
// first module that waits, or at the end of the flow.
#pragma once

#include <optional>
#include <string>

#include "flow/advance.h"
#include "flow/flow_status.h"
#include "flow/modules/module.h"
#include "flow/step_context.h"

namespace millrace::flow {

class FlowRun {
 public:
  // Parses the flow's state (std::invalid_argument when it is not valid).
  FlowRun(store::Database& db, const Expressions& expressions, StepAccess* access, EpochMs now,
          const queue::ClaimedJob& claimed);
  Advance run();
  // The flow cannot go on (`why`): it fails with the reason, its state kept, and its unfinished
  // steps are canceled.
  Advance abandon(const std::string& why);

 private:
  // What the flow says once module i (`m`) ended, and did not fail the flow: the flow is over
  // (a stop_after_if), or nullopt to go on.
  std::optional<Advance> after_module(size_t i, const ojson& m, const ojson& prev,
                                      const StepEnd& end);
  // A trigger's call: the flow's preprocessor_module first (the flow waits for it, or goes on
  // with the input it made, or with its failure).
  std::optional<Advance> preprocess();
  Advance after_failure();
  Advance cancel();
  void cancel_unfinished_steps();
  Advance finish(JobStatus status, const ojson& result);
  Advance wait();

  const queue::ClaimedJob& claimed_;
  FlowStatus status_;
  StepContext ctx_;
  std::optional<EpochMs> due_;
  Advance out_;
};

}  // namespace millrace::flow
