// The job queue: enqueue, claim, complete, cancel, wait for a result, recover.
//
// A job is written durably (group commit) before anyone hears of it. Workers and waiting sync
// callers are woken by notification, never by polling: an idle server makes no database writes.
// This is the front that callers use; where the waiting jobs are held, and how a worker takes
// one, is its ReadySet's (ready_set.h), chosen by the database: in this process's memory on
// SQLite (memory_ready_set.h), the table itself when PostgreSQL is shared by many processes
// (table_ready_set.h). Who waits to hear of a job is JobEvents (job_events.h); the jobs that run
// here, and how a cancel reaches them, RunningJobs (running_jobs.h). Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "queue/job_events.h"
#include "queue/node_membership.h"
#include "queue/queued_job.h"
#include "queue/ready_set.h"
#include "queue/running_jobs.h"
#include "store/audit.h"
#include "store/jobs.h"

namespace millrace::store {
class Database;
}  // namespace millrace::store

namespace millrace::queue {

using AcceptedCallback = std::function<void(const Status&)>;

class JobQueue {
 public:
  // `shared` when the database is shared by many processes (PostgreSQL).
  JobQueue(store::Database& db, const Clock& clock, int max_crash_restarts,
           std::optional<SharedQueueOptions> shared = std::nullopt);
  ~JobQueue();

  // Loads the unfinished jobs (shared: joins the nodes, restarts the jobs of nodes that are
  // gone, and starts listening). Call once, before the first claim. Answers the ids of the
  // jobs that were running when their process stopped (whose leftovers should be killed).
  Result<std::vector<std::string>> recover();

  // Writes the job and its audit row durably, then calls `accepted` (on the writer thread).
  // `on_complete`, when given, is registered before the write, so it sees the completion
  // however fast the job runs; it is dropped if the write fails. Returns the waiter id to pass
  // to forget_waiter().
  uint64_t enqueue(NewJob job, AcceptedCallback accepted, CompletionCallback on_complete = {});
  // Calls `on_complete` when the outcome of a job made earlier is committed (a retried request
  // that waits for the first one's job). The caller reads whether it already ended after this.
  uint64_t wait_for(const std::string& job_id, CompletionCallback on_complete);
  // Stops calling a completion callback (a sync caller that gave up).
  void forget_waiter(const std::string& job_id, uint64_t waiter_id);

  // Blocks until a job is due, or the queue stops (nullopt). With `kNoWait`, answers at once:
  // a job due now, or nullopt.
  using Wait = ReadySet::Wait;
  std::optional<ClaimedJob> claim_next(const std::string& worker, Wait wait = Wait::kUntilDue);
  // While the job runs, `on_cancel` is called (once) if someone cancels it.
  void set_cancel_handler(const std::string& job_id, std::function<void()> on_cancel);
  // Appends output while the job runs (batched into the writer; not waited for).
  void append_logs(const std::string& job_id, std::string text);
  // Appends a piece of the job's result stream (batched into the writer; not waited for).
  void append_result_stream(const std::string& job_id, int64_t idx, std::string text);
  // Calls `on_news` once, as soon as more of the job's logs, of its result stream or its
  // outcome are committed (on the writer thread: hand real work to another). Returns the id to
  // pass to forget_news().
  uint64_t watch_news(const std::string& job_id, std::function<void()> on_news);
  void forget_news(const std::string& job_id, uint64_t watch_id);
  // Stores the outcome durably; waiters are called after the commit.
  void complete(const ClaimedJob& claimed, JobOutcome outcome, const std::string& worker);
  // A parent that started children (or sleeps) waits, off the ready set, until the outcome of
  // one of its children is committed, it is woken, or it is due: then it is claimed again.
  void wait_for_children(const ClaimedJob& parent, ChildrenWait wait);
  // A waiting parent is made ready now (a sleeping one too). Any other id is left alone.
  // `even_if_scheduled` (a cancel): a parent scheduled for later is made ready now too.
  void wake_parent(const std::string& parent_id, bool even_if_scheduled = false);
  // The job's sync callers get this result now, before the job ends (a flow's early_return).
  void answer_waiters_early(const std::string& job_id, const std::string& result_json);
  // A script's concurrency limit: at most `limit` of its jobs running at once, or with a
  // window, started within its last `window_s` seconds (Windmill's concurrency_limit and
  // concurrency_time_window_s).
  struct ConcurrencyLimit {
    std::string script_path;
    int64_t limit = 0;
    int64_t window_s = 0;
  };
  // Whether the claimed job may run now under its script's limit (decided in the writer's
  // order, so two workers never both take the last place). When it may not, it goes back to
  // the queue, due again in a moment: it waits, it is not refused.
  Result<bool> admit(const ClaimedJob& claimed, const ConcurrencyLimit& limit);
  // A job stopped by a shutdown (not a crash, not a cancel): back to pending, to run again at
  // the next start without counting as a crash restart.
  void release_interrupted(const std::string& job_id, std::string logs);

  // Cancels a queued or running job of the workspace; 404 when it has no such job.
  Result<CancelOutcome> cancel(const std::string& workspace_id, const std::string& job_id,
                               const std::string& canceler, const std::string& reason,
                               std::optional<store::AuditRecord> audit);
  // Why a running job was canceled (canceler, reason), if it was.
  std::optional<std::pair<std::string, std::string>> cancel_reason(const std::string& job_id);
  // The unfinished jobs of all nodes, by state (read from the database: the one truth when
  // several nodes share it).
  Result<store::QueueDepth> depth();

  // Stops handing out jobs and interrupts the running ones: their processes are killed and
  // they stay in the queue, to be restarted at the next start. Completion callbacks still
  // registered are dropped without being called.
  void stop();
  bool stopping();

 private:
  store::Database& db_;
  const Clock& clock_;
  JobEvents events_;
  RunningJobs running_;
  std::atomic<bool> stopping_ = false;
  std::unique_ptr<ReadySet> ready_;  // declared last: gone first
};

}  // namespace millrace::queue
