// A caller parked until its job ends (run_wait_result, jobs/run/dependencies): the job is made
// durable, then whichever comes first answers — the job's completion, the wait's end
// (TIMEOUT_WAIT_RESULT: 500 `timeout after <n>s`), or the caller leaving — and the others do
// nothing. A caller that stops waiting cancels its job, as Windmill's drop guard does.
#pragma once

#include <functional>
#include <string>

#include "api/context.h"
#include "http/message.h"
#include "queue/job_queue.h"

namespace millrace::api {

// `answer` turns the completion into the response; `canceler` is who cancels a job left behind.
// A job that could not be made is answered with the error, unless `refused` answers it (true).
using RefusalHandler = std::function<bool(const Error&)>;
void enqueue_and_wait(ApiContext& ctx, queue::NewJob job, const std::string& canceler,
                      http::ResponderPtr r,
                      std::function<http::Response(const queue::JobCompletion&)> answer,
                      RefusalHandler refused = {});

}  // namespace millrace::api
