// The flow's preprocessor_module: when a trigger (a webhook, an HTTP route) calls a flow that has
// one, it runs before any step — its inline script's `preprocessor` function, on the flow's
// input, which is the trigger's event — and what it returns becomes the flow's input. A
// preprocessor that fails fails the flow (its failure_module runs, as for a step).
#pragma once

#include "flow/modules/module.h"

namespace millrace::flow {

// Starts or follows `module`; its status is the flow's `preprocessor_module`.
StepEnd run_preprocessor(StepContext& ctx, const ojson& module);

}  // namespace millrace::flow
