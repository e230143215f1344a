// Idempotent calls: a webhook or HTTP route call that carries a key (the Idempotency-Key
// header, or on a signed route its sender's delivery id) makes a job once. A retry within
// IDEMPOTENCY_WINDOW_S gets that job instead of another: async, its id again (201,
// `Idempotent-Replay: true`); sync, its result (waiting for it while it runs). The same key with
// another body is 422. The key is claimed in the job's own transaction, so two retries racing
// each other (on any node) still make one job.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/context.h"
#include "common/error.h"
#include "http/message.h"
#include "queue/queued_job.h"
#include "store/idempotency.h"

namespace millrace::api {

// The Idempotency-Key header, if any (400 when it is empty or longer than 255 characters).
Result<std::optional<std::string>> idempotency_key_header(const http::Request& req);

enum class ReplayMode { kAsync, kSync };

// One call's key, from the moment its handler knows what the call runs.
class IdempotentCall {
 public:
  // `scope` says whose key it is and for what (a caller and a runnable, a route); the body's
  // hash tells a retry from a reuse. Without a key, a call like any other.
  IdempotentCall(ApiContext& ctx, const std::string& ws, std::string scope,
                 std::optional<std::string> key, const std::string& body, ReplayMode mode);

  // Told the first call's job before a retry is answered from it (a route's delivery keeps it).
  void on_replay(std::function<void(const std::string& job_id)> fn) { on_replay_ = std::move(fn); }
  // A retry answered from its first call's job (true: the handler stops there).
  Result<bool> replayed(const http::ResponderPtr& r) const;
  // The job this call makes claims the key, in its own transaction.
  void claim(queue::NewJob& job) const;
  // The job was not made: a retry that raced its first call is answered from that call's job
  // (true); any other refusal is the caller's to answer.
  bool answer_refusal(const http::ResponderPtr& r) const;

 private:
  ApiContext* ctx_;
  std::optional<store::IdempotencyRecord> claim_;
  ReplayMode mode_;
  std::function<void(const std::string&)> on_replay_;
};

}  // namespace millrace::api
