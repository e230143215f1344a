// Logins that cannot hold the server: failed ones slow down per account and per address (with
// the clock driven by hand), and passwords are checked on the password pool, whose queue is
// bounded and which answers "no" for an unknown account after the same work as for a real one.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "auth/login_limiter.h"
#include "auth/password.h"
#include "auth/password_pool.h"
#include "common/fake_clock.h"

namespace millrace::auth {
namespace {

TEST(LoginLimiterTest, FailuresBeyondTheFreeOnesWaitLongerAndLongerAndSuccessClears) {
  FakeClock clock;
  LoginLimiter limiter(clock);
  for (int i = 0; i < LoginLimiter::kFreeAccountFailures; ++i) {
    EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), 0) << i;
    limiter.failed("alice", "1.2.3.4");
  }
  EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), 1000);
  EXPECT_EQ(limiter.wait_ms("alice", "5.6.7.8"), 1000);  // the account, from anywhere
  EXPECT_EQ(limiter.wait_ms("bob", "1.2.3.4"), 0);       // the address is not there yet
  clock.advance(1000);
  EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), 0);
  limiter.failed("alice", "1.2.3.4");
  EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), 2000);
  clock.advance(2000);
  limiter.failed("alice", "1.2.3.4");
  EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), 4000);
  for (int i = 0; i < 30; ++i) limiter.failed("alice", "9.9.9.9");
  EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), LoginLimiter::kMaxWaitMs);
  limiter.succeeded("alice");
  EXPECT_EQ(limiter.wait_ms("alice", "1.2.3.4"), 0);
  // One address trying many accounts.
  for (int i = 0; i < LoginLimiter::kFreeAddressFailures; ++i) {
    limiter.failed("user" + std::to_string(i), "6.6.6.6");
  }
  EXPECT_EQ(limiter.wait_ms("someone-new", "6.6.6.6"), 1000);
  EXPECT_EQ(limiter.wait_ms("someone-new", "1.2.3.4"), 0);
}

TEST(PasswordPoolTest, ChecksOffTheCallersThreadAndAnUnknownAccountIsAlwaysWrong) {
  PasswordPool pool(1, 8);
  auto hash = hash_password("right");
  ASSERT_TRUE(hash);
  auto check = [&](std::optional<std::string> h, std::string password) {
    std::promise<std::pair<bool, std::thread::id>> answer;
    EXPECT_TRUE(pool.verify(std::move(h), std::move(password), [&](bool ok) {
      answer.set_value({ok, std::this_thread::get_id()});
    }));
    return answer.get_future().get();
  };
  auto [right, where] = check(hash, "right");
  EXPECT_TRUE(right);
  EXPECT_NE(where, std::this_thread::get_id());
  EXPECT_FALSE(check(hash, "wrong").first);
  EXPECT_FALSE(check(std::nullopt, "right").first);
  EXPECT_FALSE(check(std::nullopt, "").first);
}

TEST(PasswordPoolTest, ABoundedQueueRefusesWhatItCannotHoldAndAStoppedPoolEverything) {
  PasswordPool pool(1, 2);
  std::promise<void> started, release;
  auto released = release.get_future().share();
  std::atomic<int> done{0};
  // The one thread is held; two wait; the next is refused.
  ASSERT_TRUE(pool.hash("a", [&](std::optional<std::string>) {
    started.set_value();
    released.wait();
    ++done;
  }));
  started.get_future().wait();
  EXPECT_TRUE(pool.hash("b", [&](std::optional<std::string>) { ++done; }));
  EXPECT_TRUE(pool.hash("c", [&](std::optional<std::string>) { ++done; }));
  EXPECT_FALSE(pool.hash("d", [&](std::optional<std::string>) { ++done; }));
  release.set_value();
  pool.stop();
  EXPECT_GE(done.load(), 1);
  EXPECT_FALSE(pool.hash("e", [&](std::optional<std::string>) { ++done; }));
}

}  // namespace
}  // namespace millrace::auth
