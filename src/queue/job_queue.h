// The job queue: enqueue, claim, complete, cancel, wait for a result, recover.
//
// A job is written durably (group commit) before anyone hears of it. Workers and waiting sync
// callers are woken by notification, never by polling: an idle server makes no database writes.
// Two ways to hold the queue, chosen by the database:
//  - SQLite (one process): the ready set lives in this process's memory. After a crash,
//    recover() puts every job that was accepted but not finished back in it; a job that was
//    running is restarted at most `max_crash_restarts` times, then failed.
//  - PostgreSQL (any number of processes, "nodes", on one database): the table is the ready
//    set. Workers claim with FOR UPDATE SKIP LOCKED; every change is also announced with NOTIFY
//    and each node listens, so a worker or a parked caller on any node wakes at once; a slow
//    safety poll covers a lost notice. Running jobs are pinged; any node restarts (bounded) or
//    fails the jobs of a node that is gone or that stopped pinging (NodeMembership finds them;
//    the claims and cancels of a shared queue are in shared_queue.cc).
// Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "queue/job_events.h"
#include "queue/node_membership.h"
#include "queue/ready_set.h"
#include "store/audit.h"
#include "store/jobs.h"

namespace millrace::store {
class Database;
class Connection;
}  // namespace millrace::store

namespace millrace::queue {

using AcceptedCallback = std::function<void(const Status&)>;

struct NewJob {
  store::JobRecord job;
  EpochMs scheduled_for = 0;
  std::optional<store::AuditRecord> audit;  // written in the same transaction as the job
};

struct ClaimedJob {
  store::JobRecord job;
  EpochMs started_at = 0;  // when it first started (a flow is claimed once per advance)
  std::optional<std::string> canceled_by;  // set when it was canceled before this claim
  std::optional<std::string> canceled_reason;
  int64_t wakes = 0;  // shared queue: a flow's wake-up count at this claim
};

struct JobOutcome {
  JobStatus status = JobStatus::Success;
  std::string result_json;
  std::string remaining_logs;
  std::optional<std::string> flow_status;  // a flow's final state, stored with its outcome
};

// A parent job that does not end at this claim: its new state (a flow's `flow_status`) and the
// children it starts, committed in one transaction; then it waits, off the ready set, until a
// child ends, it is woken, or `due` comes (a sleep, an approval's timeout).
struct ChildrenWait {
  std::string state;
  std::vector<NewJob> children;
  std::optional<EpochMs> due;
};

// What a cancel did.
enum class CancelOutcome {
  kCanceled,     // it was waiting and ended canceled, or it runs and is being stopped
  kAlreadyDone,  // it had ended, or was ending (its outcome on its way to the store)
};

// Flow jobs (a flow run, or the body of one loop iteration or branch) are advanced by the
// flow engine instead of running code: they are the parents that wait for children.
inline bool is_flow_job(const store::JobRecord& job) {
  return is_flow_kind(job.kind);
}

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
  // Stops calling a completion callback (a sync caller that gave up).
  void forget_waiter(const std::string& job_id, uint64_t waiter_id);

  // Blocks until a job is due, or the queue stops (nullopt). With `kNoWait`, answers at once:
  // a job due now, or nullopt.
  enum class Wait { kUntilDue, kNoWait };
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
  struct Running {
    std::function<void()> on_cancel;
    std::optional<std::pair<std::string, std::string>> canceled;  // canceler, reason
    bool wake_again = false;  // a parent's child ended while the parent was claimed
  };

  using WriteFn = std::function<Status(store::Connection&)>;

  void add_ready(const std::string& job_id, EpochMs scheduled_for);
  // A job taken from the ready set, read back from the store and marked running; nullopt (and
  // the job back in the set, for a retry) when it cannot be read.
  std::optional<ClaimedJob> read_back(const std::string& id, const std::string& worker,
                                      EpochMs now);
  // Stores a job's outcome; `held_by` (shared queue): only if that worker still holds it.
  void finish(const store::JobRecord& job, store::CompletedState state, std::string logs,
              std::optional<store::AuditRecord> audit,
              std::optional<std::string> flow_status = std::nullopt,
              std::optional<std::string> held_by = std::nullopt);
  WriteFn finish_writes(const store::JobRecord& job, store::CompletedState state, std::string logs,
                        std::optional<store::AuditRecord> audit,
                        std::optional<std::string> flow_status, std::optional<std::string> held_by);
  void after_finish(const JobCompletion& done, const std::optional<std::string>& parent);
  // A job found running whose process is gone: restarted (counted), failed after too many
  // restarts, or ended as canceled. `held_by` (shared queue): only if that worker still holds
  // it. Answers whether it was restarted.
  Result<bool> settle_interrupted(const store::JobView& view, std::optional<std::string> held_by);
  Result<CancelOutcome> cancel_flow(const store::JobView& flow, const std::string& canceler,
                                    const std::string& reason,
                                    std::optional<store::AuditRecord> audit);

  // The shared queue (shared_queue.cc).
  Result<std::vector<std::string>> join_nodes();
  // A job held by `worker` on a node that is gone or hung (NodeMembership::Queue::restart).
  Result<bool> restart_zombie(const store::JobView& zombie, const std::string& worker);
  std::optional<ClaimedJob> claim_shared(const std::string& worker, Wait wait);
  Result<std::optional<ClaimedJob>> try_claim(store::Connection& c, const std::string& worker,
                                              EpochMs now, std::optional<EpochMs>& due);
  Result<std::unique_ptr<store::Connection>> take_claim_session();
  void return_claim_session(std::unique_ptr<store::Connection> session);
  void kick_workers();
  void on_notice(const std::string& notice);
  void answer_from_store(const std::string& job_id);
  Result<CancelOutcome> cancel_shared(const store::JobView& view, const std::string& canceler,
                                      const std::string& reason,
                                      std::optional<store::AuditRecord> audit);

  store::Database& db_;
  const Clock& clock_;
  int max_crash_restarts_;
  JobEvents events_;

  std::mutex mutex_;
  std::condition_variable ready_cv_;
  bool stopping_ = false;
  ReadySet ready_;  // one node (SQLite): the jobs waiting to be claimed
  std::unordered_map<std::string, Running> running_;
  std::unordered_set<std::string> waiting_;   // parents waiting for a child
  std::unordered_set<std::string> sleeping_;  // parents in the ready set due later (sleep, suspend)

  std::optional<SharedQueueOptions> shared_;
  // Bumped whenever jobs may have become claimable: a worker that found none waits only if it
  // is unchanged since it looked.
  uint64_t ready_gen_ = 0;
  std::unique_ptr<NodeMembership> membership_;
  std::mutex claim_sessions_mutex_;
  std::vector<std::unique_ptr<store::Connection>> claim_sessions_;
};

}  // namespace millrace::queue
