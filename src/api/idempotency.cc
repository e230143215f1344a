#include "api/idempotency.h"

#include <atomic>
#include <chrono>
#include <memory>

#include <sodium.h>

#include "api/replies.h"
#include "api/sync_result.h"
#include "common/strings.h"
#include "common/timer_queue.h"
#include "queue/job_queue.h"
#include "store/database.h"
#include "store/jobs.h"

namespace millrace::api {
namespace {

constexpr size_t kMaxKeyLength = 255;

std::string body_hash(const std::string& body) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  return hex_encode(digest, sizeof digest);
}

http::Response replayed_response(http::Response res) {
  res.headers.emplace_back("Idempotent-Replay", "true");
  return res;
}

// A sync retry: the first call's job's result, now or once it ends (its own wait is bounded
// as a sync call's; the job is the first call's, so it is never canceled from here). Its end
// is heard as an event, and read again every kRereadMs besides: the job may end on another
// node, and an answer missed is a caller left hanging.
constexpr int64_t kRereadMs = 500;

struct ReplayWait {
  ReplayWait(ApiContext& c, http::ResponderPtr r, std::string w, std::string id)
      : ctx(c), responder(std::move(r)), ws(std::move(w)), job_id(std::move(id)) {}
  ApiContext& ctx;
  http::ResponderPtr responder;
  std::string ws;
  std::string job_id;
  EpochMs deadline = 0;
  int64_t wait_s = 0;
  std::atomic<bool> answered{false};
  std::atomic<uint64_t> timer{0};
  uint64_t waiter = 0;

  void answer(const queue::JobCompletion& done) {
    if (answered.exchange(true)) return;
    if (uint64_t t = timer.load()) ctx.timers.cancel(t);
    ctx.queue.forget_waiter(job_id, waiter);
    responder->send(replayed_response(
        sync_response(done, {ctx.config.raw_result_csp, url_origin(ctx.base_url)})));
  }
  void fail(const Error& e) {
    if (answered.exchange(true)) return;
    ctx.queue.forget_waiter(job_id, waiter);
    reply_error(responder, e);
  }
};

void reread(const std::shared_ptr<ReplayWait>& wait) {
  if (wait->answered.load()) return;
  ApiContext& ctx = wait->ctx;
  auto view =
      ctx.db.read([&](store::Connection& c) { return store::get_job(c, wait->ws, wait->job_id); });
  if (!view) return wait->fail(view.error());
  if (!*view)
    return wait->fail(Error::not_found("the job " + wait->job_id + " of this key is gone"));
  if (const auto& c = (*view)->completed) {
    return wait->answer({wait->job_id, c->status, c->result_json.value_or("null")});
  }
  if (ctx.clock.now_ms() >= wait->deadline) {
    return wait->fail(
        Error::of(ErrorKind::Internal, "timeout after " + std::to_string(wait->wait_s) + "s"));
  }
  wait->timer = ctx.timers.schedule(std::chrono::milliseconds(kRereadMs), [wait] { reread(wait); });
}

void wait_for_result(ApiContext& ctx, const std::string& ws, const std::string& job_id,
                     const http::ResponderPtr& r) {
  auto wait = std::make_shared<ReplayWait>(ctx, r, ws, job_id);
  wait->wait_s = ctx.config.timeout_wait_result_s > 0 ? ctx.config.timeout_wait_result_s : 2;
  wait->deadline = ctx.clock.now_ms() + wait->wait_s * 1000;
  // Listened for before it is read: an end committed in between is heard either way.
  wait->waiter =
      ctx.queue.wait_for(job_id, [wait](const queue::JobCompletion& done) { wait->answer(done); });
  r->on_disconnect([wait] {
    if (wait->answered.exchange(true)) return;
    if (uint64_t t = wait->timer.load()) wait->ctx.timers.cancel(t);
    wait->ctx.queue.forget_waiter(wait->job_id, wait->waiter);
  });
  reread(wait);
}

}  // namespace

Result<std::optional<std::string>> idempotency_key_header(const http::Request& req) {
  const std::string* key = req.header("idempotency-key");
  if (!key) return std::optional<std::string>();
  if (key->empty() || key->size() > kMaxKeyLength) {
    return Error::bad_request("Idempotency-Key must be 1 to 255 characters");
  }
  return std::optional<std::string>(*key);
}

IdempotentCall::IdempotentCall(ApiContext& ctx, const std::string& ws, std::string scope,
                               std::optional<std::string> key, const std::string& body,
                               ReplayMode mode)
    : ctx_(&ctx), mode_(mode) {
  if (!key) return;
  const EpochMs now = ctx.clock.now_ms();
  claim_ = store::IdempotencyRecord{ws,
                                    std::move(scope),
                                    std::move(*key),
                                    body_hash(body),
                                    "",
                                    now,
                                    now + ctx.config.idempotency_window_s * 1000};
}

void IdempotentCall::claim(queue::NewJob& job) const {
  if (!claim_) return;
  job.idempotency = claim_;
  job.idempotency->job_id = job.job.id;
}

bool IdempotentCall::answer_refusal(const http::ResponderPtr& r) const {
  auto done = replayed(r);
  return done && *done;
}

Result<bool> IdempotentCall::replayed(const http::ResponderPtr& r) const {
  if (!claim_) return false;
  ApiContext& ctx = *ctx_;
  auto held = ctx.db.read([&](store::Connection& c) {
    return store::find_idempotency_key(c, claim_->workspace_id, claim_->scope, claim_->key,
                                       ctx.clock.now_ms());
  });
  if (!held) return held.error();
  if (!*held) return false;
  if ((*held)->request_hash != claim_->request_hash) {
    reply_error(
        r, Error::of(ErrorKind::Unprocessable, "Idempotency-Key " + claim_->key +
                                                   " was already used with another request body"));
    return true;
  }
  if (on_replay_) on_replay_((*held)->job_id);
  if (mode_ == ReplayMode::kAsync) {
    r->send(replayed_response(http::Response::text(201, (*held)->job_id)));
    return true;
  }
  wait_for_result(ctx, claim_->workspace_id, (*held)->job_id, r);
  return true;
}

}  // namespace millrace::api
