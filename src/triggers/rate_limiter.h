// Requests per second with a burst, per key (a route, a token): a token bucket for each key,
// refilled as time passes on an injected clock. A request over the limit is told how long to
// wait (the 429's Retry-After) before any job exists. Keys idle long enough to be full again are
// forgotten, so the table stays small however many keys pass. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace millrace::triggers {

struct RateLimit {
  double per_second = 0;  // 0: no limit
  double burst = 1;       // requests allowed at once, after an idle while
};

class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock, size_t max_keys = 100'000)
      : clock_(clock), max_keys_(max_keys) {}

  struct Decision {
    bool allowed = true;
    int64_t retry_after_ms = 0;  // when refused: how long until one request would pass
  };
  // Takes one request from `key`'s bucket.
  Decision take(const std::string& key, const RateLimit& limit);
  size_t keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    EpochMs at = 0;
  };
  void forget_idle(EpochMs now, const RateLimit& limit);

  const Clock& clock_;
  const size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace millrace::triggers
