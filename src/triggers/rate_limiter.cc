#include "triggers/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace millrace::triggers {

RateLimiter::Decision RateLimiter::take(const std::string& key, const RateLimit& limit) {
  if (limit.per_second <= 0) return {};
  const double burst = std::max(1.0, limit.burst);
  const EpochMs now = clock_.now_ms();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) forget_idle(now, limit);
    it = buckets_.emplace(key, Bucket{burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens =
      std::min(burst, b.tokens + static_cast<double>(now - b.at) / 1000.0 * limit.per_second);
  b.at = now;
  if (b.tokens >= 1.0 - 1e-9) {  // a whole token, give or take the sums' rounding
    b.tokens = std::max(0.0, b.tokens - 1.0);
    return {};
  }
  const double missing = 1.0 - b.tokens;
  return {false, static_cast<int64_t>(std::ceil(missing / limit.per_second * 1000.0))};
}

size_t RateLimiter::keys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::forget_idle(EpochMs now, const RateLimit& limit) {
  // A bucket that would be full again is the same as no bucket.
  const double refill_ms = std::max(1.0, limit.burst) / limit.per_second * 1000.0;
  std::erase_if(buckets_, [&](const auto& entry) {
    return static_cast<double>(now - entry.second.at) >= refill_ms;
  });
  if (buckets_.size() >= max_keys_) buckets_.clear();  // all busy: start over rather than grow
}

}  // namespace millrace::triggers
