#include "queue/ready_set.h"

#include "common/log.h"
#include "queue/job_results.h"
#include "store/claims.h"
#include "store/database.h"

namespace millrace::queue {

void ReadySet::finish(const store::JobRecord& job, store::CompletedState state, std::string logs,
                      std::optional<store::AuditRecord> audit,
                      std::optional<std::string> flow_status, std::optional<std::string> held_by) {
  auto done = std::make_shared<JobCompletion>(
      JobCompletion{job.id, state.status, state.result_json.value_or("null")});
  std::optional<std::string> parent = job.parent_job;
  db_.write(finish_writes(job, std::move(state), std::move(logs), std::move(audit),
                          std::move(flow_status), std::move(held_by)),
            [this, done, parent](const Status& s) {
              if (!s) {
                log::error("cannot store the outcome of job " + done->id + ": " + s.error().message,
                           {{"job_id", done->id}});
                return;
              }
              after_finish(*done, parent);
            });
}

ReadySet::WriteFn ReadySet::finish_writes(const store::JobRecord& job, store::CompletedState state,
                                          std::string logs, std::optional<store::AuditRecord> audit,
                                          std::optional<std::string> flow_status,
                                          std::optional<std::string> held_by) {
  return [this, workspace_id = job.workspace_id, job_id = job.id, parent = job.parent_job,
          state = std::move(state), logs = std::move(logs), audit = std::move(audit),
          flow_status = std::move(flow_status), held_by = std::move(held_by),
          now = clock_.now_ms()](store::Connection& c) -> Status {
    if (held_by) {
      // A worker that was taken for a zombie (its node stopped pinging) finishes late: the
      // job was restarted elsewhere, and that run's outcome is the one kept.
      auto held = store::job_held_by(c, job_id, *held_by);
      if (!held) return held.error();
      if (!*held)
        return Error::of(ErrorKind::Conflict,
                         "the job was restarted elsewhere: this outcome is dropped");
    }
    if (!logs.empty()) MR_TRY(store::append_job_logs(c, job_id, logs));
    if (flow_status) MR_TRY(store::set_flow_status(c, job_id, *flow_status));
    MR_TRY(store::complete_job(c, job_id, workspace_id, state));
    if (audit) MR_TRY(store::insert_audit(c, *audit));
    // Callers waiting on any node hear of it; a parent waiting for this child is due.
    MR_TRY(announce(c, Notice::done(job_id)));
    return outcome_written(c, job_id, parent, now);
  };
}

void ReadySet::after_finish(const JobCompletion& done, const std::optional<std::string>& parent) {
  events_.completed(done);
  events_.news(done.id);
  outcome_stored(parent);
}

Result<bool> ReadySet::settle_interrupted(const store::JobView& view,
                                          std::optional<std::string> held_by) {
  const auto& q = *view.queued;
  EpochMs now = clock_.now_ms();
  if (q.canceled_by) {
    finish(view.job,
           {JobStatus::Canceled, canceled_result(q.canceled_reason.value_or(""), *q.canceled_by),
            q.started_at, now, 0, q.canceled_by, q.canceled_reason, q.worker},
           "", std::nullopt, std::nullopt, held_by);
    return false;
  }
  if (q.crash_restarts >= max_crash_restarts_) {
    std::string msg = "the job was interrupted by a server crash " +
                      std::to_string(q.crash_restarts + 1) + " times and is not restarted again";
    finish(view.job,
           {JobStatus::Failure,
            wrap_error("{\"name\":\"InterruptedError\",\"message\":\"" + msg + "\"}"), q.started_at,
            now, 0, std::nullopt, std::nullopt, q.worker},
           "\n" + msg + "\n", std::nullopt, std::nullopt, held_by);
    return false;
  }
  std::string id = view.job.id;
  bool taken = true;
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    if (held_by) {
      auto t = store::take_zombie(c, id, *held_by);
      if (!t) return t.error();
      if (!(taken = *t)) return Status::ok();  // another node settled it first
    }
    MR_TRY(store::requeue_interrupted_job(
        c, id, "\n[millrace] the server stopped while this job ran: restarting it\n"));
    return announce(c, Notice::ready());
  });
  if (!s) return s.error();
  return taken;
}

}  // namespace millrace::queue
