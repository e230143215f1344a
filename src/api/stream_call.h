// A run_and_stream call, as Windmill answers it: the job is made, then the stream opens with
// an empty update, sends the job's result stream as it comes and pings, and ends with the
// result (or the error, which is the result of a failed job) as `only_result`; a flow's
// early_return result ends it early. A timeout ends the stream (TIMEOUT_SSE_STREAM), not the
// job; nor does the client leaving.
#pragma once

#include <functional>

#include "api/context.h"
#include "http/message.h"
#include "queue/job_queue.h"

namespace millrace::api {

// A job that could not be made is answered with the error, unless `refused` answers it (true).
void enqueue_and_stream(ApiContext& ctx, queue::NewJob job, const http::ResponderPtr& r,
                        std::function<bool(const Error&)> refused = {});

}  // namespace millrace::api
