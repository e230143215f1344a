// The ready set of one process on SQLite (ready_set.h): the ids of the waiting jobs in memory,
// by due time, and the parents that wait for their children or sleep until a time. After a
// crash, recover() loads every job that was accepted but not finished back in; a job that was
// running is restarted at most `max_crash_restarts` times, then failed. Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <unordered_set>

#include "queue/jobs_by_due.h"
#include "queue/ready_set.h"

namespace millrace::queue {

class MemoryReadySet final : public ReadySet {
 public:
  explicit MemoryReadySet(Parts parts) : ReadySet(parts) {}

  Result<std::vector<std::string>> recover() override;
  Status announce(store::Connection&, const Notice&) const override { return Status::ok(); }
  void added(const std::string& id, EpochMs due) override;
  std::optional<ClaimedJob> claim(const std::string& worker, Wait wait) override;
  void claim_over(const std::string& id) override;
  void wait_for_children(const ClaimedJob& parent, ChildrenWait wait) override;
  void wake_parent(const std::string& parent_id, bool even_if_scheduled) override;
  void answer_waiters_early(const std::string& job_id, const std::string& result_json) override;
  Result<CancelOutcome> cancel(const store::JobView& job, const std::string& canceler,
                               const std::string& reason,
                               std::optional<store::AuditRecord> audit) override;
  void stop() override;
  bool jobs_may_be_taken_back() const override { return false; }

 private:
  Status outcome_written(store::Connection&, const std::string&, const std::optional<std::string>&,
                         EpochMs) const override {
    return Status::ok();
  }
  void outcome_stored(const std::optional<std::string>& parent) override;
  // A job taken from the set, read back from the store and marked running; nullopt (and the
  // job back in the set, for a retry) when it cannot be read.
  std::optional<ClaimedJob> read_back(const std::string& id, const std::string& worker,
                                      EpochMs now);

  std::mutex mutex_;  // taken before RunningJobs' own, never after
  std::condition_variable ready_cv_;
  bool stopping_ = false;
  JobsByDue ready_;
  // Parents woken while claimed (a child ended while the parent was advanced): ready again at
  // once when that claim lets go. Which jobs are claimed is RunningJobs'.
  std::unordered_set<std::string> woken_while_claimed_;
  std::unordered_set<std::string> waiting_;   // parents waiting for a child
  std::unordered_set<std::string> sleeping_;  // parents in the set due later (sleep, suspend)
};

}  // namespace millrace::queue
