// The last step of every call that runs something (the webhooks, the HTTP routes): the job is
// made durable, then the caller gets its id (201), its result (as run_wait_result), or a stream
// of it (as run_and_stream). A call whose idempotency key already made a job is answered from
// that job instead, even when it lost the race to make it.
#pragma once

#include <string>

#include "api/context.h"
#include "api/idempotency.h"
#include "http/message.h"
#include "queue/queued_job.h"

namespace millrace::api {

enum class RunAnswer { kJobId, kResult, kStream };

// `canceler`: who cancels the job a sync caller left behind.
void enqueue_and_answer(ApiContext& ctx, queue::NewJob job, RunAnswer answer,
                        const std::string& canceler, const IdempotentCall& idempotency,
                        const http::ResponderPtr& r);

}  // namespace millrace::api
