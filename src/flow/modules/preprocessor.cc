#include "flow/modules/preprocessor.h"

#include "flow/step_context.h"
#include "flow/step_jobs.h"

namespace millrace::flow {

StepEnd run_preprocessor(StepContext& ctx, const ojson& module) {
  ModuleStatus& ps = ctx.status().preprocessor_module;
  if (ps.state == ModuleState::WaitingForPriorSteps) {
    auto job = module_job(ctx.db(), ctx.access(), ctx.flow(), "preprocessor", value_of(module),
                          ctx.args(), std::nullopt, ctx.now());
    if (!job && job.error().server_side()) throw StoreUnavailable(job.error().message);
    if (!job) {
      ps.state = ModuleState::Failure;
      return failed(error_result("ExecutionErr", "the preprocessor: " + job.error().message));
    }
    job->job.preprocess = true;  // its `preprocessor` function, on the event
    ps.job = job->job.id;
    ps.state = ModuleState::InProgress;
    ctx.start(std::move(*job));
    return waits();
  }
  StepEnd end = job_end(ctx, ps);
  if (end.kind == StepEnd::kWaits) return end;
  if (end.kind == StepEnd::kSucceeded && !end.value.is_object()) {
    end = failed(
        error_result("TypeError", "the preprocessor must return an object: the flow's arguments"));
  }
  ps.state = end.kind == StepEnd::kSucceeded ? ModuleState::Success : ModuleState::Failure;
  return end;
}

}  // namespace millrace::flow
