// Refusals made before any job is stored, so that a flood cannot bury the queue:
//   - a rate limit per HTTP route (its `rate_limit_per_second`, `rate_limit_burst`) and per
//     token (RATE_LIMIT_PER_TOKEN, on every call that runs something): 429 with Retry-After;
//   - a queue limit per runnable (the `queue_limit` query parameter, an HTTP route's
//     `queue_limit`, QUEUE_LIMIT_WAIT_RESULT for sync calls): 429 with Retry-After when more of
//     its jobs than that wait to run;
//   - MAX_QUEUED_JOBS for the whole instance: 503 with Retry-After, rather than a queue that
//     grows without bound. The count is read at most every kQueueCountTtlMs.
// Each check answers the refusal to send, or nothing when the call may go on. Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "common/error.h"
#include "http/message.h"
#include "triggers/rate_limiter.h"

namespace millrace::store {
class Database;
}

namespace millrace::api {

class BackPressure {
 public:
  static constexpr EpochMs kQueueCountTtlMs = 200;

  BackPressure(const Config& config, const Clock& clock, store::Database& db);

  // One request of `key` (a route's, a token's) against `limit`.
  std::optional<http::Response> rate(const std::string& key, const triggers::RateLimit& limit);
  // One request of the token (its prefix) against RATE_LIMIT_PER_TOKEN.
  std::optional<http::Response> token_rate(const std::string& token_prefix);
  // A new job of `script_path` in `ws`, with at most `limit` of its jobs waiting (none: no
  // limit), and MAX_QUEUED_JOBS.
  std::optional<http::Response> queue(const std::string& ws, const std::string& script_path,
                                      std::optional<int64_t> limit);

 private:
  const Config& config_;
  const Clock& clock_;
  store::Database& db_;
  triggers::RateLimiter limiter_;
  triggers::RateLimit per_token_;
  std::mutex count_mutex_;
  EpochMs counted_at_ = -kQueueCountTtlMs;
  int64_t unstarted_ = 0;
};

}  // namespace millrace::api
