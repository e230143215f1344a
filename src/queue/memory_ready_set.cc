#include "queue/memory_ready_set.h"

#include <chrono>

#include "common/log.h"
#include "queue/job_results.h"
#include "store/database.h"

namespace millrace::queue {
namespace {
// A scheduled job far ahead is waited for in steps (a huge wait_for overflows the clock).
constexpr EpochMs kMaxWaitMs = 60'000;
// A job that could not be read back when claimed is tried again after this long.
constexpr EpochMs kReadBackRetryMs = 1'000;
}  // namespace

Result<std::vector<std::string>> MemoryReadySet::recover() {
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
    // an approval, and until when (the advance makes it wait again with that time).
    added(view.job.id, is_flow_job(view.job) && q.started_at ? clock_.now_ms() : q.scheduled_for);
  }
  if (!queued->empty()) {
    log::info("recovered " + std::to_string(queued->size()) + " unfinished jobs (" +
              std::to_string(restarted) + " restarted after a crash, " + std::to_string(failed) +
              " failed after too many)");
  }
  return interrupted;
}

void MemoryReadySet::added(const std::string& id, EpochMs due) {
  {
    std::lock_guard lock(mutex_);
    if (!ready_.add(id, due)) {
      log::error("job id " + id + " is not a UUID: it cannot be queued");
      return;
    }
  }
  // All: a worker sleeping until a scheduled job is due must not be the only one woken for a
  // job that is due now, and then be busy when the scheduled one comes.
  ready_cv_.notify_all();
}

std::optional<ClaimedJob> MemoryReadySet::claim(const std::string& worker, Wait wait) {
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
          // Known as running before it leaves this lock: a cancel finds it in one place or
          // the other, never in neither.
          running_.add(id);
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

std::optional<ClaimedJob> MemoryReadySet::read_back(const std::string& id,
                                                    const std::string& worker, EpochMs now) {
  auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
  if (!view || !*view) {
    // The job is committed (it was answered), so this is a passing database failure: it goes
    // back to the set and is tried again shortly, never dropped.
    log::error("claimed job " + id + " cannot be read back: " +
                   (view ? std::string("missing") : view.error().message),
               {{"job_id", id}});
    running_.remove(id);
    claim_over(id);
    added(id, clock_.now_ms() + kReadBackRetryMs);
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

void MemoryReadySet::claim_over(const std::string& id) {
  std::lock_guard lock(mutex_);
  woken_while_claimed_.erase(id);
}

void MemoryReadySet::wait_for_children(const ClaimedJob& parent, ChildrenWait wait) {
  auto shared = std::make_shared<ChildrenWait>(std::move(wait));
  const std::string id = parent.job.id;
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
          again = woken_while_claimed_.erase(id) > 0;
          running_.remove(id);
          if (s && !again && !shared->due) waiting_.insert(id);
          if (s && !again && shared->due) sleeping_.insert(id);
        }
        if (!s) {
          // Nothing of this claim was kept: the parent is claimed again shortly.
          log::error("cannot store what job " + id + " waits for: " + s.error().message,
                     {{"job_id", id}});
          return added(id, clock_.now_ms() + kReadBackRetryMs);
        }
        for (const auto& child : shared->children) added(child.job.id, child.scheduled_for);
        if (again) {
          added(id, clock_.now_ms());
        } else if (shared->due) {
          added(id, *shared->due);
        }
      });
}

void MemoryReadySet::wake_parent(const std::string& parent_id, bool even_if_scheduled) {
  EpochMs now = clock_.now_ms();
  {
    std::lock_guard lock(mutex_);
    if (running_.runs(parent_id)) {
      woken_while_claimed_.insert(parent_id);
      return;
    }
    if (!waiting_.erase(parent_id)) {
      // A parent asleep until later is due now; anything else (a parent already ready, a job
      // scheduled for later that someone named as a parent) stays as it is.
      if (!sleeping_.erase(parent_id) && !even_if_scheduled) return;
      if (!ready_.remove(parent_id)) return;
    }
  }
  added(parent_id, now);
}

void MemoryReadySet::outcome_stored(const std::optional<std::string>& parent) {
  if (parent) wake_parent(*parent, false);
}

void MemoryReadySet::answer_waiters_early(const std::string& job_id,
                                          const std::string& result_json) {
  events_.completed(JobCompletion{job_id, JobStatus::Success, result_json});
}

Result<CancelOutcome> MemoryReadySet::cancel(const store::JobView& job, const std::string& canceler,
                                             const std::string& reason,
                                             std::optional<store::AuditRecord> audit) {
  const std::string id = job.job.id;
  if (is_flow_job(job.job)) {
    // Marked durably, then woken: the engine cancels the flow's running steps and ends it.
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
  bool was_waiting = false;
  {
    std::lock_guard lock(mutex_);
    was_waiting = ready_.remove(id);
  }
  if (was_waiting) {
    EpochMs now = clock_.now_ms();
    finish(job.job,
           {JobStatus::Canceled, canceled_result(reason, canceler), std::nullopt, now, 0, canceler,
            reason, std::nullopt},
           "", std::move(audit));
    return CancelOutcome::kCanceled;
  }
  auto marked = running_.mark_canceled(id, canceler, reason);
  if (marked.runs) {
    db_.write(
        [id, canceler, reason, audit = std::move(audit)](store::Connection& c) -> Status {
          if (auto s = store::set_job_cancel(c, id, canceler, reason); !s) return s;
          if (audit) return store::insert_audit(c, *audit);
          return Status::ok();
        },
        {});
    if (marked.on_cancel) marked.on_cancel();
    return CancelOutcome::kCanceled;
  }
  // Between a worker's last word and the commit of its outcome: the job is finishing.
  return CancelOutcome::kAlreadyDone;
}

void MemoryReadySet::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_cv_.notify_all();
}

}  // namespace millrace::queue
