// The values that pass through the queue: a job to write, a job claimed, its outcome, what a
// parent waits for, what a cancel did.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/job_types.h"
#include "store/audit.h"
#include "store/idempotency.h"
#include "store/jobs.h"

namespace millrace::queue {

struct NewJob {
  store::JobRecord job;
  EpochMs scheduled_for = 0;
  std::optional<store::AuditRecord> audit;  // written in the same transaction as the job
  // The request's key, claimed in the job's transaction: the job is not made (409) when the
  // key already made one.
  std::optional<store::IdempotencyRecord> idempotency;
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

}  // namespace millrace::queue
