#include "common/timer_queue.h"

namespace millrace {

TimerQueue::TimerQueue() : thread_([this] { loop(); }) {}

TimerQueue::~TimerQueue() {
  stop();
}

void TimerQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t TimerQueue::schedule(std::chrono::milliseconds delay, Callback fn) {
  auto at = std::chrono::steady_clock::now() + delay;
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    entries_.emplace(id, std::make_pair(at, std::move(fn)));
    by_time_.emplace(at, id);
  }
  cv_.notify_all();
  return id;
}

bool TimerQueue::cancel(uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  auto range = by_time_.equal_range(it->second.first);
  for (auto r = range.first; r != range.second; ++r) {
    if (r->second == id) {
      by_time_.erase(r);
      break;
    }
  }
  entries_.erase(it);
  return true;
}

void TimerQueue::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (by_time_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = by_time_.begin();
    // A copy: cancel() may free the node while this thread waits without the lock.
    const TimePoint due = first->first;
    if (due > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, due);
      continue;
    }
    uint64_t id = first->second;
    by_time_.erase(first);
    auto it = entries_.find(id);
    Callback fn = std::move(it->second.second);
    entries_.erase(it);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace millrace
