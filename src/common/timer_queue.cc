#include "common/timer_queue.h"

#include <algorithm>

namespace millrace {

TimerQueue::TimerQueue(const Clock& clock, Mode mode) : clock_(clock) {
  if (mode == Mode::kOwnThread) thread_ = std::thread([this] { loop(); });
}

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
  EpochMs at = clock_.now_ms() + delay.count();
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

TimerQueue::Callback TimerQueue::take_due(EpochMs now, uint64_t ids_below) {
  auto first = by_time_.begin();
  if (first == by_time_.end() || first->first > now || first->second >= ids_below) return {};
  auto it = entries_.find(first->second);
  by_time_.erase(first);
  Callback fn = std::move(it->second.second);
  entries_.erase(it);
  return fn;
}

int TimerQueue::run_due() {
  int ran = 0;
  std::unique_lock lock(mutex_);
  // What is due when called: a callback that schedules another for "now" (it is queued behind
  // every one already due) leaves it for the next call, so this always ends.
  const EpochMs now = clock_.now_ms();
  const uint64_t ids_below = next_id_;
  while (!stopping_) {
    Callback fn = take_due(now, ids_below);
    if (!fn) break;
    lock.unlock();
    fn();
    ++ran;
    lock.lock();
  }
  return ran;
}

void TimerQueue::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (by_time_.empty()) {
      cv_.wait(lock);
      continue;
    }
    // A copy: cancel() may free the node while this thread waits without the lock.
    const EpochMs due = by_time_.begin()->first;
    const EpochMs now = clock_.now_ms();
    if (due > now) {
      // In steps: a wait far ahead would overflow the condition variable's clock.
      cv_.wait_for(lock, std::chrono::milliseconds(std::min<EpochMs>(due - now, 60'000)));
      continue;
    }
    Callback fn = take_due(now, next_id_);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace millrace
