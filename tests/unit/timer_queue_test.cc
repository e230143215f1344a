#include "common/timer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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
    uint64_t id = timers.schedule(20ms, [&] { fired += 1; });
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    EXPECT_TRUE(timers.cancel(id));
  }
  EXPECT_EQ(fired.load(), 0);
}

}  // namespace
}  // namespace millrace
