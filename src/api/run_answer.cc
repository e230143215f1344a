#include "api/run_answer.h"

#include "api/replies.h"
#include "api/stream_call.h"
#include "api/sync_call.h"
#include "api/sync_result.h"
#include "common/strings.h"
#include "queue/job_queue.h"

namespace millrace::api {

void enqueue_and_answer(ApiContext& ctx, queue::NewJob job, RunAnswer answer,
                        const std::string& canceler, const IdempotentCall& idempotency,
                        const http::ResponderPtr& r) {
  idempotency.claim(job);
  auto refused = [idempotency, r](const Error&) { return idempotency.answer_refusal(r); };
  if (answer == RunAnswer::kJobId) {
    const std::string id = job.job.id;
    ctx.queue.enqueue(std::move(job), [r, id, refused](const Status& s) {
      if (s) return reply_text(r, 201, id);
      if (!refused(s.error())) reply_error(r, s.error());
    });
    return;
  }
  if (answer == RunAnswer::kStream) return enqueue_and_stream(ctx, std::move(job), r, refused);
  enqueue_and_wait(
      ctx, std::move(job), canceler, r,
      [&ctx](const queue::JobCompletion& done) {
        return sync_response(done, {ctx.config.raw_result_csp, url_origin(ctx.base_url)});
      },
      refused);
}

}  // namespace millrace::api
