// Callbacks run at given times (sync-webhook deadlines, long-poll ends), on one thread of the
// queue's own, kept apart from the HTTP event loop so the domain never needs Asio. Time is the
// injected Clock's (monotonic by default); with Mode::kByHand there is no thread, and a test
// moves a FakeClock and calls run_due(). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/clock.h"

namespace millrace {

class TimerQueue {
 public:
  using Callback = std::function<void()>;
  enum class Mode { kOwnThread, kByHand };
  explicit TimerQueue(const Clock& clock = Clock::monotonic(), Mode mode = Mode::kOwnThread);
  ~TimerQueue();
  // Runs `fn` after `delay`. Returns an id for cancel().
  uint64_t schedule(std::chrono::milliseconds delay, Callback fn);
  // True when the callback had not started yet and never will.
  bool cancel(uint64_t id);
  // Runs, on the calling thread, every callback due by the clock's now; answers how many ran.
  // (The queue's own thread does this by itself; kByHand leaves it to the caller.)
  int run_due();
  // Runs nothing more: joins the timer thread; callbacks still pending are dropped unrun.
  void stop();

 private:
  void loop();
  // Takes out the first callback due by `now` whose id is below `ids_below`, if it is first in
  // line (called with the lock held).
  Callback take_due(EpochMs now, uint64_t ids_below);

  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::multimap<EpochMs, uint64_t> by_time_;
  std::unordered_map<uint64_t, std::pair<EpochMs, Callback>> entries_;
  std::thread thread_;
};

}  // namespace millrace
