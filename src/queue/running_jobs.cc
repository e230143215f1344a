#include "queue/running_jobs.h"

namespace millrace::queue {

void RunningJobs::add(const std::string& id) {
  std::lock_guard lock(mutex_);
  jobs_.try_emplace(id);
}

std::optional<CancelMark> RunningJobs::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  auto mark = std::move(it->second.canceled);
  jobs_.erase(it);
  return mark;
}

std::optional<bool> RunningJobs::set_cancel_handler(const std::string& id,
                                                    std::function<void()> on_cancel) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  it->second.on_cancel = std::move(on_cancel);
  return it->second.canceled.has_value();
}

RunningJobs::Marked RunningJobs::mark_canceled(const std::string& id, const std::string& canceler,
                                               const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return {};
  bool first = !it->second.canceled;
  if (first) it->second.canceled = CancelMark{canceler, reason};
  return {true, first, it->second.on_cancel};
}

std::optional<CancelMark> RunningJobs::cancel_mark(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second.canceled;
}

bool RunningJobs::runs(const std::string& id) const {
  std::lock_guard lock(mutex_);
  return jobs_.contains(id);
}

std::vector<std::string> RunningJobs::ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(jobs_.size());
  for (const auto& [id, entry] : jobs_) out.push_back(id);
  return out;
}

std::vector<std::function<void()>> RunningJobs::handlers() const {
  std::lock_guard lock(mutex_);
  std::vector<std::function<void()>> out;
  for (const auto& [id, entry] : jobs_) {
    if (entry.on_cancel) out.push_back(entry.on_cancel);
  }
  return out;
}

}  // namespace millrace::queue
