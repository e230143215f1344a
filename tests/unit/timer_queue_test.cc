#include "common/timer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/fake_clock.h"

namespace millrace {
namespace {

using namespace std::chrono_literals;

TEST(TimerQueueTest, RunsDueCallbacksAndNotCanceledOnes) {
  TimerQueue timers;
  std::atomic<int> fired{0};
  timers.schedule(1ms, [&] { fired += 1; });
  uint64_t canceled = timers.schedule(50ms, [&] { fired += 100; });
  EXPECT_TRUE(timers.cancel(canceled));
  EXPECT_FALSE(timers.cancel(canceled));
  for (int i = 0; i < 200 && fired.load() == 0; ++i) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(80ms);
  EXPECT_EQ(fired.load(), 1);
}

// The timer thread waits on the earliest deadline; canceling that very timer while it waits
// must not leave it reading freed memory (AddressSanitizer checks this build).
TEST(TimerQueueTest, CancelingTheTimerBeingWaitedOnIsSafe) {
  TimerQueue timers;
  std::atomic<int> fired{0};
  for (int i = 0; i < 200; ++i) {
    // Far enough ahead that a busy machine's sleep below never reaches it (20 ms did, under load).
    uint64_t id = timers.schedule(10s, [&] { fired += 1; });
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    EXPECT_TRUE(timers.cancel(id));
  }
  EXPECT_EQ(fired.load(), 0);
}

TEST(TimerQueueTest, ByHandCallbacksRunWhenTheClockReachesThemInTimeOrder) {
  FakeClock clock;
  TimerQueue timers(clock, TimerQueue::Mode::kByHand);
  std::vector<std::string> ran;
  timers.schedule(30s, [&] { ran.push_back("30s"); });
  timers.schedule(10s, [&] { ran.push_back("10s"); });
  timers.schedule(10s, [&] { ran.push_back("10s again"); });
  uint64_t canceled = timers.schedule(20s, [&] { ran.push_back("20s"); });
  EXPECT_EQ(timers.run_due(), 0);
  clock.advance(9'999);
  EXPECT_EQ(timers.run_due(), 0);
  clock.advance(1);
  EXPECT_EQ(timers.run_due(), 2);
  EXPECT_EQ(ran, (std::vector<std::string>{"10s", "10s again"}));
  EXPECT_TRUE(timers.cancel(canceled));
  clock.advance(60'000);
  EXPECT_EQ(timers.run_due(), 1);
  EXPECT_EQ(ran.back(), "30s");
  EXPECT_EQ(timers.run_due(), 0);
}

TEST(TimerQueueTest, ByHandACallbackThatSchedulesAnotherForNowWaitsForTheNextRun) {
  FakeClock clock;
  TimerQueue timers(clock, TimerQueue::Mode::kByHand);
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    timers.schedule(0ms, tick);  // a poll that asks again at once
  };
  timers.schedule(0ms, tick);
  EXPECT_EQ(timers.run_due(), 1);  // not a loop forever
  EXPECT_EQ(timers.run_due(), 1);
  EXPECT_EQ(ticks, 2);
  timers.stop();
  EXPECT_EQ(timers.run_due(), 0);  // stopped: nothing more runs
}

}  // namespace
}  // namespace millrace
