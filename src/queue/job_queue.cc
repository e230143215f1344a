#include "queue/job_queue.h"

#include <chrono>

#include "common/log.h"
#include "metrics/registry.h"
#include "queue/job_results.h"
#include "queue/notice.h"
#include "store/claims.h"
#include "store/database.h"
#include "store/notices.h"

namespace millrace::queue {
namespace {
// A scheduled job far ahead is waited for in steps (a huge wait_for overflows the clock).
constexpr EpochMs kMaxWaitMs = 60'000;
// A job that could not be read back when claimed is tried again after this long.
constexpr EpochMs kReadBackRetryMs = 1'000;
}  // namespace

JobQueue::JobQueue(store::Database& db, const Clock& clock, int max_crash_restarts,
                   std::optional<SharedQueueOptions> shared)
    : db_(db), clock_(clock), max_crash_restarts_(max_crash_restarts), shared_(shared) {}

JobQueue::~JobQueue() {
  stop();
  membership_.reset();  // its thread hands notices to this queue: it ends first
  // The completions of writes already queued use this queue (waiters, watchers, the ready
  // set): they have all run once a write queued after them is done.
  (void)db_.write_sync([](store::Connection&) { return Status::ok(); });
}

Result<bool> JobQueue::settle_interrupted(const store::JobView& view,
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
  bool shared = shared_.has_value();
  auto taken = std::make_shared<bool>(true);
  Status s = db_.write_sync([id, held_by, shared, taken](store::Connection& c) -> Status {
    if (held_by) {
      auto t = store::take_zombie(c, id, *held_by);
      if (!t) return t.error();
      if (!(*taken = *t)) return Status::ok();  // another node settled it first
    }
    MR_TRY(store::requeue_interrupted_job(
        c, id, "\n[millrace] the server stopped while this job ran: restarting it\n"));
    return shared ? notify_nodes(c, Notice::ready()) : Status::ok();
  });
  if (!s) return s.error();
  return *taken;
}

Result<std::vector<std::string>> JobQueue::recover() {
  if (shared_) return join_nodes();
  auto queued = db_.read([](store::Connection& c) { return store::load_queue(c); });
  if (!queued) return queued.error();
  size_t restarted = 0, failed = 0;
  std::vector<std::string> interrupted;
  for (auto& view : *queued) {
    const auto& q = *view.queued;
    // A flow's advance is idempotent (it starts from its stored state and its steps' stored
    // outcomes), so a flow is simply advanced again; its steps are recovered as jobs.
    if (q.running && !is_flow_job(view.job)) {
      interrupted.push_back(view.job.id);
      auto again = settle_interrupted(view, std::nullopt);
      if (!again) return again.error();
      if (!*again) {
        if (!q.canceled_by) ++failed;
        continue;
      }
      ++restarted;
    }
    // A flow that has started is advanced at once: its state says whether it sleeps or awaits
    // an approval, and until when (the advance parks it again with that time).
    add_ready(view.job.id,
              is_flow_job(view.job) && q.started_at ? clock_.now_ms() : q.scheduled_for);
  }
  if (!queued->empty()) {
    log::info("recovered " + std::to_string(queued->size()) + " unfinished jobs (" +
              std::to_string(restarted) + " restarted after a crash, " + std::to_string(failed) +
              " failed after too many)");
  }
  return interrupted;
}

uint64_t JobQueue::enqueue(NewJob job, AcceptedCallback accepted, CompletionCallback on_complete) {
  uint64_t waiter_id = 0;
  const std::string id = job.job.id;
  if (on_complete) waiter_id = events_.wait_for_outcome(id, std::move(on_complete));
  auto shared = std::make_shared<NewJob>(std::move(job));
  db_.write(
      [shared, announce = shared_.has_value()](store::Connection& c) -> Status {
        if (auto s = store::insert_job(c, shared->job, shared->scheduled_for); !s) return s;
        if (shared->audit) MR_TRY(store::insert_audit(c, *shared->audit));
        return announce ? notify_nodes(c, Notice::ready()) : Status::ok();
      },
      [this, shared, accepted = std::move(accepted), waiter_id](const Status& s) {
        if (s) {
          add_ready(shared->job.id, shared->scheduled_for);
        } else if (waiter_id) {
          forget_waiter(shared->job.id, waiter_id);
        }
        accepted(s);
      });
  return waiter_id;
}

void JobQueue::forget_waiter(const std::string& job_id, uint64_t waiter_id) {
  events_.forget_waiter(job_id, waiter_id);
}

void JobQueue::add_ready(const std::string& job_id, EpochMs scheduled_for) {
  // Shared: the job is ready in the table; the workers here look at once (and other nodes
  // hear of it from the notice sent with the write).
  if (shared_) return kick_workers();
  {
    std::lock_guard lock(mutex_);
    if (!ready_.add(job_id, scheduled_for)) {
      log::error("job id " + job_id + " is not a UUID: it cannot be queued");
      return;
    }
  }
  // All: a worker sleeping until a scheduled job is due must not be the only one woken for a
  // job that is due now, and then be busy when the scheduled one comes.
  ready_cv_.notify_all();
}

std::optional<ClaimedJob> JobQueue::claim_next(const std::string& worker, Wait wait) {
  if (shared_) return claim_shared(worker, wait);
  while (true) {
    std::string id;
    EpochMs now = 0;
    {
      std::unique_lock lock(mutex_);
      while (id.empty()) {
        if (stopping_) return std::nullopt;
        now = clock_.now_ms();
        if (auto due_now = ready_.take_due(now)) {
          id = std::move(*due_now);
          sleeping_.erase(id);
          running_[id] = Running{};
        } else if (wait == Wait::kNoWait) {
          return std::nullopt;
        } else if (auto due = ready_.next_due()) {
          // The earliest job is scheduled later: sleep until then, or until something changes.
          ready_cv_.wait_for(lock, std::chrono::milliseconds(std::min(*due - now, kMaxWaitMs)));
        } else {
          ready_cv_.wait(lock);
        }
      }
    }
    if (auto claimed = read_back(id, worker, now)) return claimed;
  }
}

std::optional<ClaimedJob> JobQueue::read_back(const std::string& id, const std::string& worker,
                                              EpochMs now) {
  auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
  if (!view || !*view) {
    // The job is committed (it was answered), so this is a passing database failure: it goes
    // back to the ready set and is tried again shortly, never dropped.
    log::error("claimed job " + id + " cannot be read back: " +
                   (view ? std::string("missing") : view.error().message),
               {{"job_id", id}});
    {
      std::lock_guard lock(mutex_);
      running_.erase(id);
    }
    add_ready(id, clock_.now_ms() + kReadBackRetryMs);
    return std::nullopt;
  }
  db_.write([id, worker,
             now](store::Connection& c) { return store::mark_job_running(c, id, worker, now); },
            {});
  ClaimedJob claimed{std::move((*view)->job), now, std::nullopt, std::nullopt};
  if (const auto& q = (*view)->queued) {
    if (is_flow_job(claimed.job)) claimed.started_at = q->started_at.value_or(now);
    claimed.canceled_by = q->canceled_by;
    claimed.canceled_reason = q->canceled_reason;
  }
  return claimed;
}

void JobQueue::set_cancel_handler(const std::string& job_id, std::function<void()> on_cancel) {
  bool already = false;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(job_id);
    if (it == running_.end()) return;
    it->second.on_cancel = on_cancel;
    already = it->second.canceled.has_value() || stopping_;
  }
  if (already) on_cancel();
}

void JobQueue::append_logs(const std::string& job_id, std::string text) {
  db_.write(
      [job_id, text = std::move(text),
       announce = shared_.has_value()](store::Connection& c) -> Status {
        MR_TRY(store::append_job_logs(c, job_id, text));
        return announce ? notify_nodes(c, Notice::news(job_id)) : Status::ok();
      },
      [this, job_id](const Status& s) {
        if (s) events_.news(job_id);
      });
}

void JobQueue::append_result_stream(const std::string& job_id, int64_t idx, std::string text) {
  db_.write(
      [job_id, idx, text = std::move(text),
       announce = shared_.has_value()](store::Connection& c) -> Status {
        MR_TRY(store::append_result_stream(c, job_id, idx, text));
        return announce ? notify_nodes(c, Notice::news(job_id)) : Status::ok();
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

void JobQueue::release_interrupted(const std::string& job_id, std::string logs) {
  {
    std::lock_guard lock(mutex_);
    running_.erase(job_id);
  }
  logs +=
      "\n[millrace] the server was stopped while this job ran: it runs again at the next start\n";
  db_.write(
      [job_id, logs = std::move(logs),
       announce = shared_.has_value()](store::Connection& c) -> Status {
        MR_TRY(store::release_job(c, job_id, logs));
        // Another node may run it now.
        return announce ? notify_nodes(c, Notice::ready()) : Status::ok();
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
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(claimed.job.id);
    if (it != running_.end()) {
      if (it->second.canceled && outcome.status == JobStatus::Canceled) {
        state.canceled_by = it->second.canceled->first;
        state.canceled_reason = it->second.canceled->second;
        state.result_json = canceled_result(*state.canceled_reason, *state.canceled_by);
      }
      running_.erase(it);
    }
  }
  if (outcome.status == JobStatus::Canceled && !state.canceled_by && claimed.canceled_by) {
    state.canceled_by = claimed.canceled_by;
    state.canceled_reason = claimed.canceled_reason;
  }
  std::optional<std::string> held_by;
  if (shared_) held_by = worker;
  finish(claimed.job, std::move(state), std::move(outcome.remaining_logs), std::nullopt,
         std::move(outcome.flow_status), std::move(held_by));
}

Result<store::QueueDepth> JobQueue::depth() {
  return db_.read(
      [now = clock_.now_ms()](store::Connection& c) { return store::queue_depth(c, now); });
}

void JobQueue::wait_for_children(const ClaimedJob& parent, ChildrenWait wait) {
  auto shared = std::make_shared<ChildrenWait>(std::move(wait));
  const std::string id = parent.job.id;
  if (shared_) {
    // The row says whether the parent waits, sleeps or is ready again (a child ended meanwhile).
    EpochMs now = clock_.now_ms();
    return db_.write(
        [id, shared, wakes = parent.wakes, now,
         node = shared_->node](store::Connection& c) -> Status {
          MR_TRY(store::set_flow_status(c, id, shared->state));
          for (const auto& child : shared->children) {
            MR_TRY(store::insert_job(c, child.job, child.scheduled_for));
            if (child.job.same_worker) MR_TRY(store::pin_job_to_node(c, child.job.id, node));
          }
          MR_TRY(store::park_flow_shared(c, id, wakes, shared->due, now));
          return notify_nodes(c, Notice::ready());
        },
        [this, id](const Status& s) {
          {
            std::lock_guard lock(mutex_);
            running_.erase(id);
          }
          if (!s) {
            // Nothing of this claim was kept: the parent is let go, to be claimed again.
            log::error("cannot store what job " + id + " waits for: " + s.error().message,
                       {{"job_id", id}});
            db_.write(
                [id, node = shared_->node](store::Connection& c) -> Status {
                  MR_TRY(store::release_claim(c, id, node));
                  return notify_nodes(c, Notice::ready());
                },
                {});
          }
          kick_workers();
        });
  }
  db_.write(
      [id, shared](store::Connection& c) -> Status {
        if (auto s = store::set_flow_status(c, id, shared->state); !s) return s;
        for (const auto& child : shared->children) {
          if (auto s = store::insert_job(c, child.job, child.scheduled_for); !s) return s;
        }
        if (shared->due) return store::park_flow_job(c, id, *shared->due);
        return Status::ok();
      },
      [this, id, shared](const Status& s) {
        bool again = false;
        {
          std::lock_guard lock(mutex_);
          if (auto it = running_.find(id); it != running_.end()) {
            again = it->second.wake_again;
            running_.erase(it);
          }
          if (s && !again && !shared->due) waiting_.insert(id);
          if (s && !again && shared->due) sleeping_.insert(id);
        }
        if (!s) {
          // Nothing of this claim was kept: the parent is claimed again shortly.
          log::error("cannot store what job " + id + " waits for: " + s.error().message,
                     {{"job_id", id}});
          return add_ready(id, clock_.now_ms() + kReadBackRetryMs);
        }
        for (const auto& child : shared->children) add_ready(child.job.id, child.scheduled_for);
        if (again) {
          add_ready(id, clock_.now_ms());
        } else if (shared->due) {
          add_ready(id, *shared->due);
        }
      });
}

void JobQueue::answer_waiters_early(const std::string& job_id, const std::string& result_json) {
  if (shared_) {
    // Callers waiting on other nodes read the answer from the row.
    db_.write(
        [job_id, result_json](store::Connection& c) -> Status {
          MR_TRY(store::set_early_result(c, job_id, result_json));
          return notify_nodes(c, Notice::early_answer(job_id));
        },
        {});
  }
  events_.completed(JobCompletion{job_id, JobStatus::Success, result_json});
}

void JobQueue::wake_parent(const std::string& parent_id, bool even_if_scheduled) {
  EpochMs now = clock_.now_ms();
  if (shared_) {
    return db_.write(
        [parent_id, even_if_scheduled, now](store::Connection& c) -> Status {
          MR_TRY(store::wake_flow_shared(c, parent_id, even_if_scheduled, now));
          return notify_nodes(c, Notice::ready());
        },
        [this](const Status&) { kick_workers(); });
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = running_.find(parent_id); it != running_.end()) {
      it->second.wake_again = true;
      return;
    }
    if (!waiting_.erase(parent_id)) {
      // A parent asleep until later is due now; anything else (a parent already ready, a job
      // scheduled for later that someone named as a parent) stays as it is.
      if (!sleeping_.erase(parent_id) && !even_if_scheduled) return;
      if (!ready_.remove(parent_id)) return;
    }
  }
  add_ready(parent_id, now);
}

Result<CancelOutcome> JobQueue::cancel_flow(const store::JobView& flow, const std::string& canceler,
                                            const std::string& reason,
                                            std::optional<store::AuditRecord> audit) {
  // Marked durably, then advanced: the engine cancels the flow's running steps and ends it.
  const std::string id = flow.job.id;
  if (shared_) {
    EpochMs now = clock_.now_ms();
    db_.write(
        [id, canceler, reason, audit = std::move(audit), now](store::Connection& c) -> Status {
          MR_TRY(store::set_job_cancel(c, id, canceler, reason));
          if (audit) MR_TRY(store::insert_audit(c, *audit));
          MR_TRY(store::wake_flow_shared(c, id, true, now));
          return notify_nodes(c, Notice::ready());
        },
        [this](const Status&) { kick_workers(); });
    return CancelOutcome::kCanceled;
  }
  db_.write(
      [id, canceler, reason, audit = std::move(audit)](store::Connection& c) -> Status {
        if (auto s = store::set_job_cancel(c, id, canceler, reason); !s) return s;
        if (audit) return store::insert_audit(c, *audit);
        return Status::ok();
      },
      [this, id](const Status& s) {
        if (s) wake_parent(id, true);
      });
  return CancelOutcome::kCanceled;
}

void JobQueue::finish(const store::JobRecord& job, store::CompletedState state, std::string logs,
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

JobQueue::WriteFn JobQueue::finish_writes(const store::JobRecord& job, store::CompletedState state,
                                          std::string logs, std::optional<store::AuditRecord> audit,
                                          std::optional<std::string> flow_status,
                                          std::optional<std::string> held_by) {
  return [workspace_id = job.workspace_id, job_id = job.id, parent = job.parent_job,
          state = std::move(state), logs = std::move(logs), audit = std::move(audit),
          flow_status = std::move(flow_status), held_by = std::move(held_by),
          announce = shared_.has_value(), now = clock_.now_ms()](store::Connection& c) -> Status {
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
    if (!announce) return Status::ok();
    // Callers parked on any node hear of it; a flow waiting for this step is due.
    MR_TRY(notify_nodes(c, Notice::done(job_id)));
    if (!parent) return Status::ok();
    MR_TRY(store::wake_flow_shared(c, *parent, false, now));
    return notify_nodes(c, Notice::ready());
  };
}

void JobQueue::after_finish(const JobCompletion& done, const std::optional<std::string>& parent) {
  events_.completed(done);
  events_.news(done.id);
  // A flow's step is done: the flow moves on (shared: it is due in the table already).
  if (parent) shared_ ? kick_workers() : wake_parent(*parent);
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
  if (is_flow_job((*view)->job)) return cancel_flow(**view, canceler, reason, std::move(audit));
  if (shared_) return cancel_shared(**view, canceler, reason, std::move(audit));
  std::function<void()> on_cancel;
  bool was_ready = false;
  bool is_running = false;
  {
    std::lock_guard lock(mutex_);
    if (auto r = running_.find(job_id); r != running_.end()) {
      if (!r->second.canceled) r->second.canceled = std::make_pair(canceler, reason);
      on_cancel = r->second.on_cancel;
      is_running = true;
    } else if (ready_.remove(job_id)) {
      was_ready = true;
    }
  }
  if (was_ready) {
    EpochMs now = clock_.now_ms();
    finish((*view)->job,
           {JobStatus::Canceled, canceled_result(reason, canceler), std::nullopt, now, 0, canceler,
            reason, std::nullopt},
           "", std::move(audit));
    return CancelOutcome::kCanceled;
  }
  if (is_running) {
    db_.write(
        [job_id, canceler, reason, audit = std::move(audit)](store::Connection& c) -> Status {
          if (auto s = store::set_job_cancel(c, job_id, canceler, reason); !s) return s;
          if (audit) return store::insert_audit(c, *audit);
          return Status::ok();
        },
        {});
    if (on_cancel) on_cancel();
    return CancelOutcome::kCanceled;
  }
  // Between a worker's last word and the commit of its outcome: the job is finishing.
  return CancelOutcome::kAlreadyDone;
}

std::optional<std::pair<std::string, std::string>> JobQueue::cancel_reason(
    const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(job_id);
  if (it == running_.end()) return std::nullopt;
  return it->second.canceled;
}

void JobQueue::stop() {
  std::vector<std::function<void()>> interrupts;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, running] : running_) {
      if (running.on_cancel) interrupts.push_back(running.on_cancel);
    }
  }
  // Parked sync callers are not answered any more: the server is going away.
  events_.drop_all();
  ready_cv_.notify_all();
  if (membership_) membership_->stop();
  for (auto& interrupt : interrupts) interrupt();
}

bool JobQueue::stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace millrace::queue
