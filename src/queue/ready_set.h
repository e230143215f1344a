// Where the jobs that wait are held, and how a worker takes the next one. JobQueue
// (job_queue.h) is the front that callers use; it writes new jobs and outcomes, and leaves to
// its ReadySet what depends on how many processes share the database:
//  - MemoryReadySet (SQLite, one process): the ids of the waiting jobs in memory, by due time
//    (jobs_by_due.h); at start every unfinished job is loaded back, and a job that was running
//    is restarted (counted) or failed.
//  - TableReadySet (PostgreSQL, any number of processes, "nodes"): the table is the set.
//    Workers claim with FOR UPDATE SKIP LOCKED; every change is announced with a notice
//    (notice.h) so a worker or a waiting caller on any node wakes at once; the nodes that are
//    gone or hung are found by NodeMembership, and their jobs restarted here.
// Both keep the parents that wait for their children (flows, for their steps): off the set
// until a child's outcome is committed, they are woken, or they are due.
//
// This base holds what both share: how a job's end is stored, and what a job cut off by a
// crash becomes. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "queue/job_events.h"
#include "queue/notice.h"
#include "queue/queued_job.h"
#include "queue/running_jobs.h"

namespace millrace::store {
class Database;
class Connection;
}  // namespace millrace::store

namespace millrace::queue {

class ReadySet {
 public:
  // What a ready set works with, owned by the queue.
  struct Parts {
    store::Database& db;
    const Clock& clock;
    JobEvents& events;
    RunningJobs& running;
    int max_crash_restarts;
  };
  enum class Wait { kUntilDue, kNoWait };

  explicit ReadySet(Parts parts)
      : db_(parts.db),
        clock_(parts.clock),
        events_(parts.events),
        running_(parts.running),
        max_crash_restarts_(parts.max_crash_restarts) {}
  virtual ~ReadySet() = default;
  ReadySet(const ReadySet&) = delete;
  ReadySet& operator=(const ReadySet&) = delete;

  // Once, before the first claim: takes in the unfinished jobs. Answers the ids of the jobs
  // that were running when their process stopped (whose leftovers should be killed).
  virtual Result<std::vector<std::string>> recover() = 0;
  // Written in a transaction that changes what others wait for: tells the other nodes, at
  // commit (one node: nothing to tell).
  virtual Status announce(store::Connection& c, const Notice& notice) const = 0;
  // After the commit of a new job: it may be claimed from `due` on.
  virtual void added(const std::string& id, EpochMs due) = 0;
  // The next job due, taken by `worker` and known to RunningJobs; nullopt once the queue
  // stops, or at once with kNoWait when none is due.
  virtual std::optional<ClaimedJob> claim(const std::string& worker, Wait wait) = 0;
  // The claim of `id` is over: it ended, or was let go at a shutdown.
  virtual void claim_over(const std::string& id) = 0;
  // A parent claimed: see JobQueue::wait_for_children, wake_parent and answer_waiters_early.
  virtual void wait_for_children(const ClaimedJob& parent, ChildrenWait wait) = 0;
  virtual void wake_parent(const std::string& parent_id, bool even_if_scheduled) = 0;
  virtual void answer_waiters_early(const std::string& job_id, const std::string& result_json) = 0;
  // Cancels an unfinished job of the store (`parent`: a flow, which its engine ends).
  virtual Result<CancelOutcome> cancel(const store::JobView& job, const std::string& canceler,
                                       const std::string& reason,
                                       std::optional<store::AuditRecord> audit) = 0;
  // No more claims; blocked workers are released; a thread of its own has ended once this
  // returns (so no write of its is queued after the queue's last one).
  virtual void stop() = 0;
  // Whether a job may be taken from a worker that still runs it (its node was taken for
  // hung, and the job restarted elsewhere): then an outcome is kept only from the worker that
  // holds the job.
  virtual bool jobs_may_be_taken_back() const = 0;

  // Stores a job's end; waiters hear of it after the commit. `held_by`: only if that worker
  // still holds the job (jobs_may_be_taken_back).
  void finish(const store::JobRecord& job, store::CompletedState state, std::string logs,
              std::optional<store::AuditRecord> audit,
              std::optional<std::string> flow_status = std::nullopt,
              std::optional<std::string> held_by = std::nullopt);

 protected:
  using WriteFn = std::function<Status(store::Connection&)>;

  // In the transaction that stores the outcome of `id`, after it: its parent is due now (one
  // node: nothing to write, outcome_stored wakes it).
  virtual Status outcome_written(store::Connection& c, const std::string& id,
                                 const std::optional<std::string>& parent, EpochMs now) const = 0;
  // After that commit.
  virtual void outcome_stored(const std::optional<std::string>& parent) = 0;

  // The writes of finish(), to run in a transaction of the caller's; then after_finish().
  WriteFn finish_writes(const store::JobRecord& job, store::CompletedState state, std::string logs,
                        std::optional<store::AuditRecord> audit,
                        std::optional<std::string> flow_status, std::optional<std::string> held_by);
  void after_finish(const JobCompletion& done, const std::optional<std::string>& parent);
  // A job found running whose process is gone: restarted (counted), failed after too many
  // restarts, or ended as canceled. `held_by`: only if that worker still holds it. Answers
  // whether it was restarted.
  Result<bool> settle_interrupted(const store::JobView& view, std::optional<std::string> held_by);

  store::Database& db_;
  const Clock& clock_;
  JobEvents& events_;
  RunningJobs& running_;
  const int max_crash_restarts_;
};

}  // namespace millrace::queue
