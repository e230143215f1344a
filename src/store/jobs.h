// Jobs: the immutable definition (job), its place in the queue while pending or running
// (job_queue), its outcome once done (job_completed), and its logs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/job_types.h"

namespace millrace::store {

class Connection;

struct JobRecord {
  std::string id;
  std::string workspace_id;
  EpochMs created_at = 0;
  std::string created_by;       // display name: a token-label name such as webhook-x, or user
  std::string permissioned_as;  // u/<username>
  std::string email;
  JobKind kind = JobKind::Script;
  std::optional<std::string> script_hash;
  std::optional<std::string> script_path;
  std::optional<std::string> language;
  std::string args_json = "{}";
  std::optional<std::string> parent_job;
  std::optional<std::string> root_job;
  std::optional<TriggerKind> trigger_kind;
  std::optional<std::string> token_prefix;
  std::optional<int64_t> timeout_s;
  int64_t priority = 0;
  std::string tag;
  // Flows (kind flow/flownode): the value run, pinned when the job was created, and its state
  // machine (the flow engine owns its shape).
  std::optional<std::string> raw_flow;
  std::optional<std::string> flow_status;
  // A step of a flow: the module id it runs, and the code of an inline (rawscript) step.
  std::optional<std::string> flow_step_id;
  std::optional<std::string> raw_code;
  bool same_worker = false;  // a same_worker flow, or one of its steps: they share ./shared
  // Its arguments are a trigger's event: the runnable's preprocessor makes main's from them.
  bool preprocess = false;
};

struct QueueState {
  EpochMs scheduled_for = 0;
  bool running = false;
  std::optional<EpochMs> started_at;
  std::optional<std::string> worker;
  std::optional<EpochMs> ping;
  std::optional<std::string> canceled_by;
  std::optional<std::string> canceled_reason;
  int64_t crash_restarts = 0;
};

struct CompletedState {
  JobStatus status = JobStatus::Success;
  std::optional<std::string> result_json;
  std::optional<EpochMs> started_at;
  EpochMs completed_at = 0;
  int64_t duration_ms = 0;
  std::optional<std::string> canceled_by;
  std::optional<std::string> canceled_reason;
  std::optional<std::string> worker;
};

struct JobView {
  JobRecord job;
  std::optional<QueueState> queued;         // set while pending or running
  std::optional<CompletedState> completed;  // set once done
};

struct JobListFilter {
  std::optional<std::string> created_by;
  std::optional<std::string> script_path_exact;
  std::optional<std::string> script_path_start;
  std::optional<std::string> script_hash;
  std::optional<std::string> parent_job;
  std::optional<EpochMs> created_before;
  std::optional<EpochMs> created_after;
  std::optional<bool> running;    // only queued jobs that are (not) running
  std::optional<bool> success;    // only completed jobs that did (not) succeed
  std::optional<bool> completed;  // only completed (true) or only queued (false)
  std::vector<std::string> kinds;
  bool has_null_parent = false;
  // Set: only the jobs started by this email, or of a path under one of `visible_prefixes`
  // (what a member may read).
  std::optional<std::string> visible_email;
  std::vector<std::string> visible_prefixes;
  int64_t limit = 1000;
  int64_t offset = 0;
};

Status insert_job(Connection& c, const JobRecord& job, EpochMs scheduled_for);
Result<bool> job_exists(Connection& c, const std::string& id);
// Whether the job is still queued or running (not completed).
Result<bool> job_in_queue(Connection& c, const std::string& id);
Status mark_job_running(Connection& c, const std::string& id, const std::string& worker,
                        EpochMs started_at);
// Moves the job from the queue to job_completed.
Status complete_job(Connection& c, const std::string& id, const std::string& workspace_id,
                    const CompletedState& done);
Status append_job_logs(Connection& c, const std::string& id, const std::string& text);
Status set_job_cancel(Connection& c, const std::string& id, const std::string& by,
                      const std::string& reason);

Result<std::optional<JobView>> get_job(Connection& c, const std::string& workspace_id,
                                       const std::string& id);
Result<std::optional<JobView>> get_job_by_id(Connection& c, const std::string& id);
Result<std::optional<std::string>> get_job_logs(Connection& c, const std::string& id);
// Logs from character `offset` on (empty when none).
Result<std::string> get_job_logs_from(Connection& c, const std::string& id, int64_t offset);

// A job's result stream (Windmill's result streaming): pieces numbered from 0, one per flush.
Status append_result_stream(Connection& c, const std::string& id, int64_t idx,
                            const std::string& text);
struct ResultStreamPart {
  std::string text;      // the pieces from the asked index on, joined
  int64_t next_idx = 0;  // the index after the last of them (the asked one when none)
};
Result<ResultStreamPart> get_result_stream_from(Connection& c, const std::string& id, int64_t idx);
Result<std::vector<JobView>> list_jobs(Connection& c, const std::string& workspace_id,
                                       const JobListFilter& f);

// A flow's state machine moves on: its new state and the step jobs it starts, in one
// transaction (the caller's), so a crash never leaves a flow half-advanced.
Status set_flow_status(Connection& c, const std::string& id, const std::string& flow_status);
// A parked flow waits for its steps; when it sleeps, it is due again at `due`.
Status park_flow_job(Connection& c, const std::string& id, EpochMs due);

// The unfinished jobs of every node, counted by what they are doing at `now`.
struct QueueDepth {
  int64_t ready = 0;      // due and waiting for a worker
  int64_t scheduled = 0;  // due later (scheduled_for in the future, a retry's back-off)
  int64_t running = 0;    // scripts on a worker
  int64_t flows = 0;      // flows under way: being advanced, or waiting for a step
};
// The jobs of `script_path` in `ws` waiting to run now (due, not started, not canceled).
Result<int64_t> count_waiting_jobs(Connection& c, const std::string& ws,
                                   const std::string& script_path, EpochMs now);
// For a script's concurrency limit: the jobs of `script_path` running and started before job
// `id` (started at `started_at`; the id breaks ties), and those that started since
// `window_from` and have ended.
Result<int64_t> count_concurrent_jobs(Connection& c, const std::string& ws,
                                      const std::string& script_path, const std::string& id,
                                      EpochMs started_at, EpochMs window_from);
// A claimed job that may not run yet: back to the queue, due at `until`, as if not started.
Status postpone_job(Connection& c, const std::string& id, EpochMs until);
// Every job not yet started, due or scheduled, of every workspace.
Result<int64_t> count_unstarted_jobs(Connection& c);
Result<QueueDepth> queue_depth(Connection& c, EpochMs now);

struct StepOutcome {
  JobStatus status = JobStatus::Success;
  std::string result_json;
};
// The outcomes of those of `ids` that are completed, by id.
Result<std::vector<std::pair<std::string, StepOutcome>>> completed_outcomes(
    Connection& c, const std::vector<std::string>& ids);

// An answer to a suspended flow step (approval steps): resume (approved) or cancel.
struct ResumeRecord {
  std::string job;  // the suspended step's job
  int64_t resume_id = 0;
  std::string flow;
  std::string value_json = "null";
  std::optional<std::string> approver;
  bool approved = true;
  EpochMs created_at = 0;
};
// False (and nothing written) when this (job, resume_id) was already answered.
Result<bool> insert_resume(Connection& c, const ResumeRecord& r);
// Oldest first.
Result<std::vector<ResumeRecord>> list_resumes(Connection& c, const std::string& job);

// Every job still in the queue, with its definition (used once at start-up).
Result<std::vector<JobView>> load_queue(Connection& c);
// After a graceful stop: the job goes back to pending, its logs say why.
Status release_job(Connection& c, const std::string& id, const std::string& note);
// After a crash: counts a restart of a job that was running, and puts it back to pending.
Status requeue_interrupted_job(Connection& c, const std::string& id, const std::string& note);

}  // namespace millrace::store
