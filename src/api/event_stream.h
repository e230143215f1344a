// Server-Sent Events answers: `run_and_stream` webhooks and
// `jobs_u/getupdate_sse`. Each event is `data: <json>\n\n`, its kind in the JSON's `type`:
// `update` (the fields of a getupdate answer), `ping` every 5 s, `timeout` (then the end) after
// TIMEOUT_SSE_STREAM, `notfound` when the job is gone.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/routes.h"
#include "http/message.h"

namespace millrace::api {

// One open stream. Thread-safe; every method may be called after the end (and does nothing).
class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  // Answers 200 text/event-stream on `r`. `on_end` runs once when the stream ends, whatever
  // ends it (finish, timeout, the client leaving); `on_tick` runs every second until then (on
  // the timer thread), for what cannot be woken by news.
  static std::shared_ptr<EventStream> open(ApiContext& ctx, http::ResponderPtr r,
                                           std::function<void()> on_end,
                                           std::function<void()> on_tick = {});
  // One event: a JSON object whose `type` is already set.
  void send(const std::string& event_json);
  // The last event, then the end.
  void finish(const std::string& event_json);
  bool ended() const { return ended_.load(); }

 private:
  EventStream(ApiContext& ctx, http::ResponderPtr r) : ctx_(ctx), responder_(std::move(r)) {}
  void tick(int64_t seconds);
  void end_once();

  ApiContext& ctx_;
  http::ResponderPtr responder_;
  std::function<void()> on_end_;
  std::function<void()> on_tick_;
  std::mutex mutex_;  // events go out whole and in order
  std::atomic<bool> ended_{false};
  std::atomic<uint64_t> timer_{0};
};

// Where a caller's copies of a job's output end: its logs (characters), its result stream
// (pieces).
struct Offsets {
  int64_t log = 0;
  int64_t stream = 0;
};

// Follows a job for getupdate_sse: an update at once, then one whenever something changed
// (new logs or result stream, running, the end: woken by the queue, checked every second too),
// until the job is complete. `from` as in getupdate; `only_result`: only the result stream and
// the end, with the result.
void stream_job_updates(ApiContext& ctx, http::ResponderPtr r, const std::string& ws,
                        const std::string& job_id, Offsets from, bool only_result, bool no_logs);

// The pieces of a job's result stream from `idx` on, as an update event (`new_result_stream`,
// `stream_offset`), `idx` moved past them; nullopt when there are none.
std::optional<std::string> result_stream_event(ApiContext& ctx, const std::string& job_id,
                                               int64_t& idx);

}  // namespace millrace::api
