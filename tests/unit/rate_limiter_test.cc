// Rate limits: a burst passes, the next request waits as long as the rate says, time refills
// the bucket, keys do not share a bucket, and idle keys are forgotten.
#include "triggers/rate_limiter.h"

#include <gtest/gtest.h>

#include "common/fake_clock.h"

namespace millrace::triggers {
namespace {

TEST(RateLimiter, ABurstPassesThenTheRateDecidesAndSaysHowLongToWait) {
  FakeClock clock;
  RateLimiter limiter(clock);
  const RateLimit limit{2, 3};  // 2 per second, 3 at once
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("route", limit).allowed) << i;
  auto refused = limiter.take("route", limit);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 500);
  clock.advance(499);
  EXPECT_FALSE(limiter.take("route", limit).allowed);
  clock.advance(1);
  EXPECT_TRUE(limiter.take("route", limit).allowed);
  EXPECT_FALSE(limiter.take("route", limit).allowed);
  clock.advance(10'000);  // refilled, but never beyond the burst
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.take("route", limit).allowed) << i;
  EXPECT_FALSE(limiter.take("route", limit).allowed);
}

TEST(RateLimiter, KeysHaveBucketsOfTheirOwnAndNoLimitIsNoLimit) {
  FakeClock clock;
  RateLimiter limiter(clock);
  const RateLimit limit{1, 1};
  EXPECT_TRUE(limiter.take("a", limit).allowed);
  EXPECT_FALSE(limiter.take("a", limit).allowed);
  EXPECT_TRUE(limiter.take("b", limit).allowed);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.take("c", RateLimit{}).allowed);
  EXPECT_EQ(limiter.keys(), 2u);
}

TEST(RateLimiter, IdleKeysAreForgottenWhenTheTableIsFull) {
  FakeClock clock;
  RateLimiter limiter(clock, 4);
  const RateLimit limit{10, 1};
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(limiter.take("k" + std::to_string(i), limit).allowed);
  EXPECT_EQ(limiter.keys(), 4u);
  clock.advance(100);  // full again
  EXPECT_TRUE(limiter.take("new", limit).allowed);
  EXPECT_EQ(limiter.keys(), 1u);
  // Forgetting a full bucket changes nothing for its key.
  EXPECT_TRUE(limiter.take("k0", limit).allowed);
}

}  // namespace
}  // namespace millrace::triggers
