// One handler per kind of flow module (OpenFlow's `value.type`): rawscript, script and flow
// (script_module.cc), identity, branchone, branchall, forloopflow and whileloopflow. A handler
// starts its module when the flow reaches it and, while the module's jobs run, tells from their
// outcomes whether it has ended. What every module shares — skip_if, mock — is decided before
// its handler is asked (start_module). Handlers keep no state of their own: all of it is in the
// module's ModuleStatus, so a flow can be advanced again after a crash.
#pragma once

#include <string_view>

#include "flow/flow_status.h"

namespace millrace::flow {

class StepContext;

// How a module ended, or that it waits for its jobs.
struct StepEnd {
  enum Kind { kWaits, kSucceeded, kFailed } kind = kWaits;
  ojson value;               // the result, or the {"error": ...} object
  bool kept_inline = false;  // not a job's result: kept in the module's status
};
inline StepEnd waits() {
  return {};
}
inline StepEnd succeeded(ojson v, bool kept_inline = false) {
  return {StepEnd::kSucceeded, std::move(v), kept_inline};
}
inline StepEnd failed(ojson error) {
  return {StepEnd::kFailed, std::move(error), false};
}

class ModuleHandler {
 public:
  virtual ~ModuleHandler() = default;
  // The flow reached `module` (its status `ms` is WaitingForPriorSteps); `prev` is the result
  // before it. Starts its jobs (StepContext::start) and waits, or ends at once.
  virtual StepEnd start(StepContext& ctx, const ojson& module, ModuleStatus& ms,
                        const ojson& prev) const = 0;
  // The module's jobs were started: from their outcomes, has it ended? May start more.
  virtual StepEnd poll(StepContext& ctx, const ojson& module, ModuleStatus& ms,
                       const ojson& prev) const = 0;
  // Loops (their stop_after_if is judged per iteration: stop_after_all_iters_if ends them).
  virtual bool is_loop() const { return false; }
};

// The handler of modules of `type`; nullptr for a type Millrace does not run.
const ModuleHandler* handler_for(std::string_view type);

// Starts `module`: skipped (skip_if), mocked, or by its handler.
StepEnd start_module(StepContext& ctx, const ojson& module, ModuleStatus& ms, const ojson& prev);
// A started module: has it ended?
StepEnd poll_module(StepContext& ctx, const ojson& module, ModuleStatus& ms, const ojson& prev);

// A module with one job (a script, a branchone's chosen body): its end, from its job's outcome.
StepEnd job_end(StepContext& ctx, const ModuleStatus& ms);

}  // namespace millrace::flow
