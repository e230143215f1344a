// Who waits to hear of a job: sync callers waiting for its outcome (waiters), and readers of
// its logs or result stream waiting for more (news watchers: getupdate, Server-Sent Events).
// Each is called at most once, then forgotten. Thread-safe; callbacks run on the thread that
// reports the event, outside the lock (the writer thread, after a commit, or the notice
// listener for a job of another node).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/job_types.h"

namespace millrace::queue {

struct JobCompletion {
  std::string id;
  JobStatus status = JobStatus::Success;
  std::string result_json;
  bool success() const { return status == JobStatus::Success; }
};
using CompletionCallback = std::function<void(const JobCompletion&)>;

class JobEvents {
 public:
  // Returns the id to pass to forget_waiter().
  uint64_t wait_for_outcome(const std::string& job_id, CompletionCallback on_complete);
  void forget_waiter(const std::string& job_id, uint64_t waiter_id);
  // Returns the id to pass to forget_news().
  uint64_t watch_news(const std::string& job_id, std::function<void()> on_news);
  void forget_news(const std::string& job_id, uint64_t watch_id);

  // Calls, and forgets, the job's waiters.
  void completed(const JobCompletion& done);
  // Calls, and forgets, the job's news watchers.
  void news(const std::string& job_id);

  bool has_waiters(const std::string& job_id) const;
  // Whether anyone (waiter or watcher) waits for this job.
  bool watched(const std::string& job_id) const;
  // Every job someone waits for (to look up after a lost notice).
  std::vector<std::string> watched_jobs() const;
  // Forgets everyone without calling them: the server is going away.
  void drop_all();

 private:
  template <typename Callback>
  using ByJob = std::unordered_map<std::string, std::vector<std::pair<uint64_t, Callback>>>;

  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;
  ByJob<CompletionCallback> waiters_;
  ByJob<std::function<void()>> watchers_;
};

}  // namespace millrace::queue
