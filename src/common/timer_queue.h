// One thread that runs callbacks at given times (sync-webhook deadlines, long-poll ends).
// Kept apart from the HTTP event loop so the domain never needs Asio. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace millrace {

class TimerQueue {
 public:
  using Callback = std::function<void()>;
  TimerQueue();
  ~TimerQueue();
  // Runs `fn` on the timer thread after `delay`. Returns an id for cancel().
  uint64_t schedule(std::chrono::milliseconds delay, Callback fn);
  // True when the callback had not started yet and never will.
  bool cancel(uint64_t id);
  // Runs nothing more: joins the timer thread; callbacks still pending are dropped unrun.
  void stop();

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  void loop();
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  std::multimap<TimePoint, uint64_t> by_time_;
  std::unordered_map<uint64_t, std::pair<TimePoint, Callback>> entries_;
  std::thread thread_;
};

}  // namespace millrace
