// The flow's failure_module: when a step fails (and does not continue_on_error), this module
// runs with `error` (the failure's error object) and previous_result (the failure) in scope.
// The flow fails all the same unless the handler's result says it recovered
// ({"recover": true}); either way, the handler's result is what the flow answers.
#pragma once

#include "flow/modules/module.h"

namespace millrace::flow {

// Starts or follows `handler` (the flow's failure_module) for `failure`; its status is the
// flow's `failure_module`, updated as the run loop updates a step's.
StepEnd handle_failure(StepContext& ctx, const ojson& handler, const ojson& failure);

// The handler ended well and asked for the flow to count as a success.
bool recovered(const StepEnd& end);

}  // namespace millrace::flow
