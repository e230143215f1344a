// What a sync webhook answers once its job is done (reference §2.4): 200 with the result, 422
// with the error, or the status, headers and body a result object asks for through
// windmill_status_code / windmill_content_type / windmill_headers (or their wm_ aliases).
#pragma once

#include "http/message.h"
#include "queue/job_queue.h"

namespace millrace::api {

http::Response sync_response(const queue::JobCompletion& done);

}  // namespace millrace::api
