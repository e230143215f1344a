#include "api/stream_call.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "api/event_stream.h"
#include "api/replies.h"
#include "api/views.h"
#include "common/timer_queue.h"

namespace millrace::api {
namespace {

// Events are sent from the timer thread only.
struct StreamCall {
  std::mutex mutex;
  std::shared_ptr<EventStream> stream;
  std::optional<queue::JobCompletion> done;
  int64_t stream_idx = 0;
  std::atomic<uint64_t> waiter{0};
  std::atomic<uint64_t> watch{0};
};

void pump(ApiContext& ctx, const std::shared_ptr<StreamCall>& call, const std::string& id) {
  std::lock_guard lock(call->mutex);
  if (!call->stream || call->stream->ended()) return;
  if (!call->done && call->watch.load() == 0) {
    // Watched before reading: pieces committed meanwhile wake another pump.
    call->watch = ctx.queue.watch_news(id, [&ctx, call, id] {
      call->watch = 0;
      ctx.timers.schedule(std::chrono::milliseconds(0), [&ctx, call, id] { pump(ctx, call, id); });
    });
  }
  while (auto event = result_stream_event(ctx, id, call->stream_idx)) call->stream->send(*event);
  if (!call->done) return;
  call->stream->finish(with_raw_fields(R"({"type":"update","completed":true})",
                                       {{"only_result", call->done->result_json}}));
  call->stream.reset();  // no cycle through the stream's end callback
}

}  // namespace

void enqueue_and_stream(ApiContext& ctx, queue::NewJob job, const http::ResponderPtr& r,
                        std::function<bool(const Error&)> refused) {
  auto call = std::make_shared<StreamCall>();
  const std::string id = job.job.id;
  auto pump_soon = [&ctx, call, id] {
    ctx.timers.schedule(std::chrono::milliseconds(0), [&ctx, call, id] { pump(ctx, call, id); });
  };
  call->waiter = ctx.queue.enqueue(
      std::move(job),
      [&ctx, call, id, r, pump_soon, refused = std::move(refused)](const Status& s) {
        if (!s) {
          if (!refused || !refused(s.error())) reply_error(r, s.error());
          return;
        }
        auto stream = EventStream::open(ctx, r, [&ctx, call, id] {
          ctx.queue.forget_waiter(id, call->waiter.load());
          if (uint64_t w = call->watch.exchange(0)) ctx.queue.forget_news(id, w);
        });
        stream->send(R"({"type":"update"})");
        {
          std::lock_guard lock(call->mutex);
          call->stream = stream;
        }
        pump_soon();
      },
      [call, pump_soon](const queue::JobCompletion& done) {
        {
          std::lock_guard lock(call->mutex);
          call->done = done;
        }
        pump_soon();
      });
}

}  // namespace millrace::api
