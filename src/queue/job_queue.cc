#include "queue/job_queue.h"

#include "common/log.h"
#include "common/random.h"
#include "metrics/registry.h"
#include "queue/job_results.h"
#include "queue/memory_ready_set.h"
#include "queue/notice.h"
#include "queue/table_ready_set.h"
#include "store/database.h"

namespace millrace::queue {

JobQueue::JobQueue(store::Database& db, const Clock& clock, int max_crash_restarts,
                   std::optional<SharedQueueOptions> shared)
    : db_(db), clock_(clock) {
  ReadySet::Parts parts{db, clock, events_, running_, max_crash_restarts};
  if (shared) {
    ready_ = std::make_unique<TableReadySet>(parts, std::move(*shared));
  } else {
    ready_ = std::make_unique<MemoryReadySet>(parts);
  }
}

JobQueue::~JobQueue() {
  stop();
  // The completions of writes already queued use this queue (waiters, watchers, the ready
  // set): they have all run once a write queued after them is done.
  (void)db_.write_sync([](store::Connection&) { return Status::ok(); });
}

Result<std::vector<std::string>> JobQueue::recover() {
  return ready_->recover();
}

uint64_t JobQueue::enqueue(NewJob job, AcceptedCallback accepted, CompletionCallback on_complete) {
  uint64_t waiter_id = 0;
  const std::string id = job.job.id;
  if (on_complete) waiter_id = events_.wait_for_outcome(id, std::move(on_complete));
  auto shared = std::make_shared<NewJob>(std::move(job));
  db_.write(
      [this, shared](store::Connection& c) -> Status {
        if (shared->idempotency) MR_TRY(store::claim_idempotency_key(c, *shared->idempotency));
        if (auto s = store::insert_job(c, shared->job, shared->scheduled_for); !s) return s;
        if (shared->audit) MR_TRY(store::insert_audit(c, *shared->audit));
        return ready_->announce(c, Notice::ready());
      },
      [this, shared, accepted = std::move(accepted), waiter_id](const Status& s) {
        if (s) {
          ready_->added(shared->job.id, shared->scheduled_for);
        } else if (waiter_id) {
          forget_waiter(shared->job.id, waiter_id);
        }
        accepted(s);
      });
  return waiter_id;
}

uint64_t JobQueue::wait_for(const std::string& job_id, CompletionCallback on_complete) {
  return events_.wait_for_outcome(job_id, std::move(on_complete));
}

void JobQueue::forget_waiter(const std::string& job_id, uint64_t waiter_id) {
  events_.forget_waiter(job_id, waiter_id);
}

std::optional<ClaimedJob> JobQueue::claim_next(const std::string& worker, Wait wait) {
  return ready_->claim(worker, wait);
}

void JobQueue::set_cancel_handler(const std::string& job_id, std::function<void()> on_cancel) {
  auto canceled = running_.set_cancel_handler(job_id, on_cancel);
  if (canceled && (*canceled || stopping())) on_cancel();
}

void JobQueue::append_logs(const std::string& job_id, std::string text) {
  db_.write(
      [this, job_id, text = std::move(text)](store::Connection& c) -> Status {
        MR_TRY(store::append_job_logs(c, job_id, text));
        return ready_->announce(c, Notice::news(job_id));
      },
      [this, job_id](const Status& s) {
        if (s) events_.news(job_id);
      });
}

void JobQueue::append_result_stream(const std::string& job_id, int64_t idx, std::string text) {
  db_.write(
      [this, job_id, idx, text = std::move(text)](store::Connection& c) -> Status {
        MR_TRY(store::append_result_stream(c, job_id, idx, text));
        return ready_->announce(c, Notice::news(job_id));
      },
      [this, job_id](const Status& s) {
        if (s) events_.news(job_id);
      });
}

uint64_t JobQueue::watch_news(const std::string& job_id, std::function<void()> on_news) {
  return events_.watch_news(job_id, std::move(on_news));
}

void JobQueue::forget_news(const std::string& job_id, uint64_t watch_id) {
  events_.forget_news(job_id, watch_id);
}

Result<bool> JobQueue::admit(const ClaimedJob& claimed, const ConcurrencyLimit& limit) {
  const auto& job = claimed.job;
  const EpochMs now = clock_.now_ms();
  // A little apart, so that the jobs held back do not all come back at once.
  const EpochMs retry_at = now + 200 + static_cast<EpochMs>(random_u64() % 200);
  bool admitted = true;
  auto s = db_.write_sync([&](store::Connection& c) -> Status {
    auto n = store::count_concurrent_jobs(
        c, job.workspace_id, limit.script_path, job.id, claimed.started_at,
        limit.window_s > 0 ? now - limit.window_s * 1000 : now + 1);
    if (!n) return n.error();
    if (*n < limit.limit) return Status::ok();
    admitted = false;
    MR_TRY(store::postpone_job(c, job.id, retry_at));
    return ready_->announce(c, Notice::ready());
  });
  if (!s) return s.error();
  if (!admitted) {
    running_.remove(job.id);
    ready_->claim_over(job.id);
    ready_->added(job.id, retry_at);
  }
  return admitted;
}

void JobQueue::release_interrupted(const std::string& job_id, std::string logs) {
  running_.remove(job_id);
  ready_->claim_over(job_id);
  logs +=
      "\n[millrace] the server was stopped while this job ran: it runs again at the next start\n";
  db_.write(
      [this, job_id, logs = std::move(logs)](store::Connection& c) -> Status {
        MR_TRY(store::release_job(c, job_id, logs));
        // Another node may run it now.
        return ready_->announce(c, Notice::ready());
      },
      {});
}

namespace {

// Every job that ends on a worker is counted by language and outcome, and timed by language
// from its first start (a flow: to its last step's end).
void record_completion(const store::JobRecord& job, JobStatus status, EpochMs duration_ms) {
  static auto& finished = metrics::registry().counters(
      "millrace_jobs_completed_total",
      "Jobs ended by this process's workers, by language (flow for a flow) and outcome");
  static auto& durations = metrics::registry().histograms(
      "millrace_job_duration_seconds", "Time from a job's start to its end, by language",
      metrics::duration_buckets());
  std::string language =
      job.language.value_or(is_flow_kind(job.kind) ? "flow" : to_string(job.kind));
  const std::string outcome = to_string(status);
  finished.counter({{"language", language}, {"outcome", outcome}}).add();
  durations.histogram({{"language", language}})
      .observe(static_cast<double>(std::max<EpochMs>(0, duration_ms)) / 1000);
  if (!log::info_enabled()) return;
  const std::string ms = std::to_string(std::max<EpochMs>(0, duration_ms));
  log::info("job " + job.id + " " + outcome + " in " + ms + " ms",
            {{"job_id", job.id},
             {"workspace", job.workspace_id},
             {"kind", to_string(job.kind)},
             {"language", language},
             {"path", job.script_path.value_or("")},
             {"outcome", outcome},
             {"duration_ms", ms, true},
             {"parent_job", job.parent_job.value_or("")},
             {"root_job", job.root_job.value_or("")}});
}

}  // namespace

void JobQueue::complete(const ClaimedJob& claimed, JobOutcome outcome, const std::string& worker) {
  EpochMs now = clock_.now_ms();
  record_completion(claimed.job, outcome.status, now - claimed.started_at);
  store::CompletedState state;
  state.status = outcome.status;
  state.result_json = outcome.result_json;
  state.started_at = claimed.started_at;
  state.completed_at = now;
  state.duration_ms = now - claimed.started_at;
  state.worker = worker;
  auto mark = running_.remove(claimed.job.id);
  ready_->claim_over(claimed.job.id);
  if (mark && outcome.status == JobStatus::Canceled) {
    state.canceled_by = mark->first;
    state.canceled_reason = mark->second;
    state.result_json = canceled_result(*state.canceled_reason, *state.canceled_by);
  }
  if (outcome.status == JobStatus::Canceled && !state.canceled_by && claimed.canceled_by) {
    state.canceled_by = claimed.canceled_by;
    state.canceled_reason = claimed.canceled_reason;
  }
  std::optional<std::string> held_by;
  if (ready_->jobs_may_be_taken_back()) held_by = worker;
  ready_->finish(claimed.job, std::move(state), std::move(outcome.remaining_logs), std::nullopt,
                 std::move(outcome.flow_status), std::move(held_by));
}

void JobQueue::wait_for_children(const ClaimedJob& parent, ChildrenWait wait) {
  ready_->wait_for_children(parent, std::move(wait));
}

void JobQueue::wake_parent(const std::string& parent_id, bool even_if_scheduled) {
  ready_->wake_parent(parent_id, even_if_scheduled);
}

void JobQueue::answer_waiters_early(const std::string& job_id, const std::string& result_json) {
  ready_->answer_waiters_early(job_id, result_json);
}

Result<CancelOutcome> JobQueue::cancel(const std::string& workspace_id, const std::string& job_id,
                                       const std::string& canceler, const std::string& reason,
                                       std::optional<store::AuditRecord> audit) {
  // Jobs are named by globally unique ids; the workspace check guards against a caller
  // canceling another workspace's job by id.
  auto view =
      db_.read([&](store::Connection& c) { return store::get_job(c, workspace_id, job_id); });
  if (!view) return view.error();
  if (!*view) return Error::not_found("queued job id " + job_id + " does not exist");
  if ((*view)->completed) return CancelOutcome::kAlreadyDone;
  return ready_->cancel(**view, canceler, reason, std::move(audit));
}

std::optional<std::pair<std::string, std::string>> JobQueue::cancel_reason(
    const std::string& job_id) {
  return running_.cancel_mark(job_id);
}

Result<store::QueueDepth> JobQueue::depth() {
  return db_.read(
      [now = clock_.now_ms()](store::Connection& c) { return store::queue_depth(c, now); });
}

void JobQueue::stop() {
  stopping_ = true;
  // Parked sync callers are not answered any more: the server is going away.
  events_.drop_all();
  ready_->stop();
  for (auto& interrupt : running_.handlers()) interrupt();
}

bool JobQueue::stopping() {
  return stopping_;
}

}  // namespace millrace::queue
