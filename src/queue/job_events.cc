#include "queue/job_events.h"

#include <algorithm>

namespace millrace::queue {
namespace {

template <typename Map>
void forget(Map& by_job, const std::string& job_id, uint64_t id) {
  auto it = by_job.find(job_id);
  if (it == by_job.end()) return;
  std::erase_if(it->second, [&](const auto& entry) { return entry.first == id; });
  if (it->second.empty()) by_job.erase(it);
}

}  // namespace

uint64_t JobEvents::wait_for_outcome(const std::string& job_id, CompletionCallback on_complete) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  waiters_[job_id].emplace_back(id, std::move(on_complete));
  return id;
}

void JobEvents::forget_waiter(const std::string& job_id, uint64_t waiter_id) {
  std::lock_guard lock(mutex_);
  forget(waiters_, job_id, waiter_id);
}

uint64_t JobEvents::watch_news(const std::string& job_id, std::function<void()> on_news) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  watchers_[job_id].emplace_back(id, std::move(on_news));
  return id;
}

void JobEvents::forget_news(const std::string& job_id, uint64_t watch_id) {
  std::lock_guard lock(mutex_);
  forget(watchers_, job_id, watch_id);
}

void JobEvents::completed(const JobCompletion& done) {
  std::vector<std::pair<uint64_t, CompletionCallback>> waiting;
  {
    std::lock_guard lock(mutex_);
    auto it = waiters_.find(done.id);
    if (it == waiters_.end()) return;
    waiting = std::move(it->second);
    waiters_.erase(it);
  }
  for (auto& [id, callback] : waiting) callback(done);
}

void JobEvents::news(const std::string& job_id) {
  std::vector<std::pair<uint64_t, std::function<void()>>> watching;
  {
    std::lock_guard lock(mutex_);
    auto it = watchers_.find(job_id);
    if (it == watchers_.end()) return;
    watching = std::move(it->second);
    watchers_.erase(it);
  }
  for (auto& [id, callback] : watching) callback();
}

bool JobEvents::has_waiters(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  return waiters_.contains(job_id);
}

bool JobEvents::watched(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  return waiters_.contains(job_id) || watchers_.contains(job_id);
}

std::vector<std::string> JobEvents::watched_jobs() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, w] : waiters_) ids.push_back(id);
  for (const auto& [id, w] : watchers_) ids.push_back(id);
  return ids;
}

void JobEvents::drop_all() {
  ByJob<CompletionCallback> waiters;  // destroyed outside the lock
  ByJob<std::function<void()>> watchers;
  std::lock_guard lock(mutex_);
  waiters.swap(waiters_);
  watchers.swap(watchers_);
}

}  // namespace millrace::queue
