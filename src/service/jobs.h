// Jobs as callers see them: one job, its logs and its result stream, a page of jobs, and a
// cancel, which is audited. Making and running jobs is the queue's (queue/new_job.h,
// queue/job_queue.h); who may see which job is the API's (api/job_access.h). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "queue/job_queue.h"
#include "store/jobs.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

class Jobs {
 public:
  Jobs(store::Database& db, queue::JobQueue& queue, const Clock& clock)
      : db_(db), queue_(queue), clock_(clock) {}

  // The job `id` of workspace `ws` (nullopt when it has none), queued or completed.
  Result<std::optional<store::JobView>> find(const std::string& ws, const std::string& id);
  // Whether any workspace has a job `id` (job ids are chosen by callers too: never twice).
  Result<bool> exists(const std::string& id);
  // Its logs from character `from` on ("" when it has none).
  Result<std::string> logs(const std::string& id, int64_t from = 0);
  // Its result stream from piece `idx` on.
  Result<store::ResultStreamPart> result_stream(const std::string& id, int64_t idx);
  Result<std::vector<store::JobView>> list(const std::string& ws, const store::JobListFilter& f);

  // How far the job says it is: `percent` clamped to 0..100, never lower than before. 400 once
  // the job is over.
  Status set_progress(const store::JobView& job, int64_t percent);
  Result<std::optional<int64_t>> progress(const std::string& id);

  // Cancels the job `id` of workspace `ws` as `who`, for `reason`; the cancel is audited
  // (`jobs.cancel`) with it. 404 when the workspace has no such job.
  Result<queue::CancelOutcome> cancel(const auth::Identity& who, const std::string& ws,
                                      const std::string& id, const std::string& reason);

 private:
  store::Database& db_;
  queue::JobQueue& queue_;
  const Clock& clock_;
};

}  // namespace millrace::service
