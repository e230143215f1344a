#include "api/sync_call.h"

#include <atomic>
#include <chrono>
#include <memory>

#include "api/replies.h"
#include "common/timer_queue.h"

namespace millrace::api {
namespace {

// The state the completion, the timeout and the disconnect share.
struct SyncCall {
  http::ResponderPtr responder;
  std::atomic<bool> answered{false};
  std::atomic<uint64_t> timer{0};
  uint64_t waiter = 0;
};

void give_up(ApiContext& ctx, const std::shared_ptr<SyncCall>& call, const std::string& ws,
             const std::string& job_id, const std::string& canceler, const std::string& reason) {
  ctx.queue.forget_waiter(job_id, call->waiter);
  auto canceled = ctx.queue.cancel(ws, job_id, canceler, reason, std::nullopt);
  (void)canceled;  // already done, or gone: nothing left to stop
}

}  // namespace

void enqueue_and_wait(ApiContext& ctx, queue::NewJob job, const std::string& canceler,
                      http::ResponderPtr r,
                      std::function<http::Response(const queue::JobCompletion&)> answer,
                      RefusalHandler refused) {
  auto call = std::make_shared<SyncCall>();
  call->responder = std::move(r);
  const std::string ws = job.job.workspace_id;
  const std::string id = job.job.id;
  const int64_t wait_s =
      ctx.config.timeout_wait_result_s > 0 ? ctx.config.timeout_wait_result_s : 2;
  call->waiter = ctx.queue.enqueue(
      std::move(job),
      [&ctx, call, ws, id, wait_s, canceler, refused = std::move(refused)](const Status& s) {
        if (!s) {
          if (call->answered.exchange(true)) return;
          if (!refused || !refused(s.error())) reply_error(call->responder, s.error());
          return;
        }
        call->timer = ctx.timers.schedule(
            std::chrono::seconds(wait_s), [&ctx, call, ws, id, wait_s, canceler] {
              if (call->answered.exchange(true)) return;
              // Windmill's drop guard gives the same reason for a timeout as for a disconnect.
              give_up(ctx, call, ws, id, canceler, "http connection broke");
              reply_text(call->responder, 500, "timeout after " + std::to_string(wait_s) + "s");
            });
        call->responder->on_disconnect([&ctx, call, ws, id, canceler] {
          if (call->answered.exchange(true)) return;
          ctx.timers.cancel(call->timer);
          give_up(ctx, call, ws, id, canceler, "http connection broke");
        });
      },
      [&ctx, call, answer = std::move(answer)](const queue::JobCompletion& done) {
        if (call->answered.exchange(true)) return;
        if (uint64_t t = call->timer.load()) ctx.timers.cancel(t);
        call->responder->send(answer(done));
      });
}

}  // namespace millrace::api
