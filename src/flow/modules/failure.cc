#include "flow/modules/failure.h"

#include "flow/step_context.h"

namespace millrace::flow {

StepEnd handle_failure(StepContext& ctx, const ojson& handler, const ojson& failure) {
  ModuleStatus& hs = ctx.status().failure_module;
  ojson error_object = failure.contains("error") ? failure["error"] : failure;
  ctx.set_error(&error_object);
  StepEnd end = hs.state == ModuleState::WaitingForPriorSteps
                    ? start_module(ctx, handler, hs, failure)
                    : poll_module(ctx, handler, hs, failure);
  ctx.set_error(nullptr);
  if (end.kind == StepEnd::kWaits) {
    hs.state = ModuleState::InProgress;
    return end;
  }
  hs.state = end.kind == StepEnd::kSucceeded ? ModuleState::Success : ModuleState::Failure;
  if (end.kept_inline) hs.result = end.value;
  return end;
}

bool recovered(const StepEnd& end) {
  return end.kind == StepEnd::kSucceeded && end.value.is_object() &&
         end.value.value("recover", ojson()) == true;
}

}  // namespace millrace::flow
