// Approval steps (a module's `suspend`): after the step succeeds, the flow waits for
// `required_events` answers to the step's signed resume URLs (api/flow_resume_routes.cc), or
// for the timeout. One refusal, or the timeout, fails the flow, unless
// continue_on_disapprove_timeout lets it go on with the refusal as the answer.
#pragma once

#include <optional>

#include "common/clock.h"
#include "flow/json_fields.h"

namespace millrace::flow {

class StepContext;

// Step i (`module`, whose `suspend` is given) succeeded: the flow is suspended on its job (or,
// when it ran none, fails — the resume URLs name a job).
void suspend_after(StepContext& ctx, size_t i, const ojson& module, const ojson& suspend);

// The answers so far to the suspended flow: true when it goes on (approved, or refused or
// timed out and failing — `failed` is then set), false when it keeps waiting, until `due`.
bool take_answers(StepContext& ctx, std::optional<EpochMs>& due);

}  // namespace millrace::flow
