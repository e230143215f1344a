#include "api/event_stream.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "api/views.h"
#include "common/strings.h"
#include "common/timer_queue.h"
#include "queue/job_queue.h"
#include "store/jobs.h"

namespace millrace::api {
namespace {

using json = nlohmann::ordered_json;  // `type` first, as sent
constexpr int64_t kPingEverySeconds = 5;

}  // namespace

std::shared_ptr<EventStream> EventStream::open(ApiContext& ctx, http::ResponderPtr r,
                                               std::function<void()> on_end,
                                               std::function<void()> on_tick) {
  std::shared_ptr<EventStream> s(new EventStream(ctx, std::move(r)));
  s->on_end_ = std::move(on_end);
  s->on_tick_ = std::move(on_tick);
  http::Response head;
  head.content_type = "text/event-stream";
  head.headers = {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  s->responder_->start_stream(std::move(head));
  std::weak_ptr<EventStream> weak = s;
  s->responder_->on_disconnect([weak] {
    if (auto self = weak.lock()) self->end_once();
  });
  // The timer holds the stream until its end (the timeout at the latest).
  s->timer_ = ctx.timers.schedule(std::chrono::seconds(1), [s] { s->tick(1); });
  return s;
}

void EventStream::send(const std::string& event_json) {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  responder_->write("data: " + event_json + "\n\n");
}

void EventStream::finish(const std::string& event_json) {
  send(event_json);
  end_once();
}

void EventStream::end_once() {
  std::function<void()> on_end;
  {
    std::lock_guard lock(mutex_);
    if (ended_.exchange(true)) return;
    responder_->end();
    on_end = std::move(on_end_);
    on_end_ = nullptr;
  }
  ctx_.timers.cancel(timer_);
  if (on_end) on_end();
}

void EventStream::tick(int64_t seconds) {
  if (ended_) return;
  if (seconds >= ctx_.config.timeout_sse_stream_s) return finish(R"({"type":"timeout"})");
  if (seconds % kPingEverySeconds == 0) send(R"({"type":"ping"})");
  if (on_tick_) on_tick_();
  if (ended_) return;
  auto self = shared_from_this();
  timer_ =
      ctx_.timers.schedule(std::chrono::seconds(1), [self, seconds] { self->tick(seconds + 1); });
}

namespace {

// One getupdate_sse stream's view of its job. Its checks all run on the timer thread, one at
// a time: woken by the queue's news of the job, and every second.
class UpdateFollower : public std::enable_shared_from_this<UpdateFollower> {
 public:
  UpdateFollower(ApiContext& ctx, std::string ws, std::string id, Offsets from, bool only_result,
                 bool no_logs)
      : ctx_(ctx),
        ws_(std::move(ws)),
        id_(std::move(id)),
        from_(from),
        only_result_(only_result),
        no_logs_(no_logs) {}

  void start(std::shared_ptr<EventStream> stream) {
    stream_ = std::move(stream);
    schedule_check();
  }
  void stop() {
    if (uint64_t w = watch_.exchange(0)) ctx_.queue.forget_news(id_, w);
  }

  void check() {
    if (!stream_ || stream_->ended()) return;
    // Watched before reading: news committed meanwhile wakes another check.
    if (watch_.load() == 0) {
      std::weak_ptr<UpdateFollower> weak = weak_from_this();
      watch_ = ctx_.queue.watch_news(id_, [weak] {
        if (auto self = weak.lock()) {
          self->watch_ = 0;
          self->schedule_check();
        }
      });
    }
    auto view = ctx_.jobs.find(ws_, id_);
    if (!view || !*view) return stream_->finish(R"({"type":"notfound"})");
    const auto& completed = (*view)->completed;
    json update = {{"type", "update"}};
    std::vector<std::pair<std::string, std::string>> raw;
    auto stream = ctx_.jobs.result_stream(id_, from_.stream);
    if (!stream) return stream_->finish(R"({"type":"notfound"})");
    if (!stream->text.empty()) {
      update["new_result_stream"] = std::move(stream->text);
      update["stream_offset"] = from_.stream = stream->next_idx;
    }
    if (only_result_) {
      if (completed) {
        update["completed"] = true;
        raw.emplace_back("only_result", completed->result_json.value_or("null"));
      }
    } else {
      const auto& queued = (*view)->queued;
      bool running = !completed && queued && queued->running;
      if (first_ || running != running_) update["running"] = running;
      running_ = running;
      if (first_ || completed) update["completed"] = completed.has_value();
      if (!no_logs_) {
        auto logs = ctx_.jobs.logs(id_, from_.log);
        if (!logs) return stream_->finish(R"({"type":"notfound"})");
        if (!logs->empty()) {
          from_.log += count_characters(*logs);
          update["new_logs"] = std::move(*logs);
        }
        if (first_ || update.contains("new_logs")) update["log_offset"] = from_.log;
      }
      if (completed) raw.emplace_back("job", job_json(**view, nullptr, true));
    }
    bool news = first_ || update.size() > 1 || !raw.empty();
    first_ = false;
    if (!news) return;
    std::string text =
        with_raw_fields(update.dump(-1, ' ', false, json::error_handler_t::replace), raw);
    if (completed) return stream_->finish(text);
    stream_->send(text);
  }

 private:
  void schedule_check() {
    std::weak_ptr<UpdateFollower> weak = weak_from_this();
    ctx_.timers.schedule(std::chrono::milliseconds(0), [weak] {
      if (auto self = weak.lock()) self->check();
    });
  }

  ApiContext& ctx_;
  const std::string ws_;
  const std::string id_;
  Offsets from_;
  const bool only_result_;
  const bool no_logs_;
  std::shared_ptr<EventStream> stream_;
  std::atomic<uint64_t> watch_{0};
  bool first_ = true;
  bool running_ = false;
};

}  // namespace

std::optional<std::string> result_stream_event(ApiContext& ctx, const std::string& job_id,
                                               int64_t& idx) {
  auto stream = ctx.jobs.result_stream(job_id, idx);
  if (!stream || stream->text.empty()) return std::nullopt;
  idx = stream->next_idx;
  json update = {
      {"type", "update"}, {"new_result_stream", std::move(stream->text)}, {"stream_offset", idx}};
  return update.dump(-1, ' ', false, json::error_handler_t::replace);
}

void stream_job_updates(ApiContext& ctx, http::ResponderPtr r, const std::string& ws,
                        const std::string& job_id, Offsets from, bool only_result, bool no_logs) {
  auto follower = std::make_shared<UpdateFollower>(ctx, ws, job_id, from, only_result, no_logs);
  std::weak_ptr<UpdateFollower> weak = follower;
  // The stream holds its follower (through on_end) until it ends.
  auto stream = EventStream::open(
      ctx, std::move(r), [follower] { follower->stop(); },
      [weak] {
        if (auto f = weak.lock()) f->check();
      });
  follower->start(std::move(stream));
}

}  // namespace millrace::api
