#include "queue/table_ready_set.h"

#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "queue/job_results.h"
#include "queue/notice.h"
#include "store/claims.h"
#include "store/database.h"
#include "store/notices.h"

namespace millrace::queue {
namespace {
// A worker waiting for a job scheduled far ahead looks again after this long at most.
constexpr EpochMs kMaxDueWaitMs = 60'000;
// After a failed claim (the database is away), a worker tries again after this long.
constexpr EpochMs kClaimRetryMs = 1'000;
}  // namespace

TableReadySet::~TableReadySet() {
  stop();
}

Result<std::vector<std::string>> TableReadySet::recover() {
  NodeMembership::Queue queue{[this](const std::string& notice) { on_notice(notice); },
                              [this] { return running_.ids(); }, [this] { kick_workers(); },
                              [this] {
                                for (const auto& id : events_.watched_jobs()) {
                                  answer_from_store(id);
                                  events_.news(id);
                                }
                              },
                              [this](const store::JobView& zombie, const std::string& worker) {
                                return restart_zombie(zombie, worker);
                              }};
  membership_ = std::make_unique<NodeMembership>(db_, clock_, options_, std::move(queue));
  return membership_->join();
}

Result<bool> TableReadySet::restart_zombie(const store::JobView& zombie,
                                           const std::string& worker) {
  const std::string id = zombie.job.id;
  if (!is_flow_job(zombie.job)) {
    // What the interrupted run left here (its processes, when its node ran on this machine)
    // must not live on next to the new run.
    if (options_.kill_leftovers) options_.kill_leftovers(id);
    return settle_interrupted(zombie, worker);
  }
  // A flow is simply advanced again (its advance starts from its stored state).
  bool taken = false;
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto t = store::take_zombie(c, id, worker);
    if (!t) return t.error();
    taken = *t;
    return taken ? notify_nodes(c, Notice::ready()) : Status::ok();
  });
  if (!s) return s.error();
  return taken;
}

void TableReadySet::kick_workers() {
  {
    std::lock_guard lock(mutex_);
    ++ready_gen_;
  }
  ready_cv_.notify_all();
}

Result<std::unique_ptr<store::Connection>> TableReadySet::take_claim_session() {
  {
    std::lock_guard lock(claim_sessions_mutex_);
    if (!claim_sessions_.empty()) {
      auto session = std::move(claim_sessions_.back());
      claim_sessions_.pop_back();
      return session;
    }
  }
  auto session = store::Connection::open(db_.location(), false);
  if (!session) return session.error();
  // A claim's commit does not wait for its WAL flush (the next durable commit flushes it):
  // losing one to a database crash only makes its job claimable again, and it saves every job
  // a flush on its way.
  const std::string no_wait = "SET synchronous_commit = off";
  MR_TRY((*session)->exec(no_wait));
  (*session)->add_session_setup(no_wait);
  return session;
}

void TableReadySet::return_claim_session(std::unique_ptr<store::Connection> session) {
  std::lock_guard lock(claim_sessions_mutex_);
  claim_sessions_.push_back(std::move(session));
}

Result<std::optional<ClaimedJob>> TableReadySet::try_claim(store::Connection& c,
                                                           const std::string& worker, EpochMs now,
                                                           std::optional<EpochMs>& due) {
  auto claim = store::claim_job(c, worker, options_.node, now);
  if (!claim) return claim.error();
  if (!*claim) {
    auto next = store::next_due(c);
    if (!next) return next.error();
    due = *next;
    return std::optional<ClaimedJob>();
  }
  const std::string id = (*claim)->id;
  // Known as running here before its cancel mark is read: a cancel committed after that read
  // is announced after it, and finds the job here.
  running_.add(id);
  auto view = store::get_job_by_id(c, id);
  if (!view || !*view) {
    // The claim is committed: give the job back, to be claimed again.
    running_.remove(id);
    auto released = store::take_zombie(c, id, worker);
    (void)released;  // if this fails too, the job's pings stop and it is restarted as a zombie
    return view ? Error::internal("claimed job " + id + " has no definition") : view.error();
  }
  // A same_worker flow stays on this node (its steps share a folder here).
  if ((*view)->job.same_worker) {
    if (auto pinned = store::pin_job_to_node(c, id, options_.node); !pinned) {
      log::error("cannot pin same_worker flow " + id + ": " + pinned.error().message,
                 {{"job_id", id}});
    }
  }
  ClaimedJob claimed{std::move((*view)->job), now, std::nullopt, std::nullopt, (*claim)->wakes};
  if (const auto& q = (*view)->queued) {
    if (is_flow_job(claimed.job)) claimed.started_at = q->started_at.value_or(now);
    claimed.canceled_by = q->canceled_by;
    claimed.canceled_reason = q->canceled_reason;
    if (q->canceled_by)
      running_.mark_canceled(id, *q->canceled_by, q->canceled_reason.value_or(""));
  }
  return std::optional<ClaimedJob>(std::move(claimed));
}

std::optional<ClaimedJob> TableReadySet::claim(const std::string& worker, Wait wait) {
  while (true) {
    uint64_t gen = 0;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return std::nullopt;
      gen = ready_gen_;
    }
    // Claims run on sessions of their own, outside the writer's group commit (see above).
    std::optional<EpochMs> due;
    Result<std::optional<ClaimedJob>> claimed = std::optional<ClaimedJob>();
    if (auto session = take_claim_session(); !session) {
      claimed = session.error();
    } else {
      claimed = try_claim(**session, worker, clock_.now_ms(), due);
      return_claim_session(std::move(*session));
    }
    if (!claimed) {
      log::error("cannot claim a job: " + claimed.error().message);
      if (wait == Wait::kNoWait) return std::nullopt;
      std::unique_lock lock(mutex_);
      ready_cv_.wait_for(lock, std::chrono::milliseconds(kClaimRetryMs), [&] { return stopping_; });
      continue;
    }
    if (*claimed) return std::move(**claimed);
    if (wait == Wait::kNoWait) return std::nullopt;
    // Nothing is due: wait for a notice (or the safety poll's kick), or for the next due job.
    std::unique_lock lock(mutex_);
    auto changed = [&] { return stopping_ || ready_gen_ != gen; };
    if (due) {
      EpochMs wait = std::clamp<EpochMs>(*due - clock_.now_ms(), 0, kMaxDueWaitMs);
      ready_cv_.wait_for(lock, std::chrono::milliseconds(wait), changed);
    } else {
      ready_cv_.wait(lock, changed);
    }
  }
}

void TableReadySet::on_notice(const std::string& text) {
  auto notice = Notice::decode(text);
  if (!notice) return log::warn("unknown queue notice: " + text);
  const std::string& id = notice->job_id;
  switch (notice->kind) {
    case Notice::Kind::Ready:
      return kick_workers();
    case Notice::Kind::Done:
      return answer_from_store(id);
    case Notice::Kind::News:
      return events_.news(id);
    case Notice::Kind::EarlyAnswer: {
      if (!events_.has_waiters(id)) return;
      auto early = db_.read([&](store::Connection& c) { return store::get_early_result(c, id); });
      if (early && *early) events_.completed(JobCompletion{id, JobStatus::Success, **early});
      return;
    }
    case Notice::Kind::Canceled: {
      if (!running_.runs(id) || running_.cancel_mark(id)) return;
      auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
      if (!view || !*view || !(*view)->queued || !(*view)->queued->canceled_by) return;
      const auto& q = *(*view)->queued;
      auto marked = running_.mark_canceled(id, *q.canceled_by, q.canceled_reason.value_or(""));
      if (marked.first && marked.on_cancel) marked.on_cancel();
      return;
    }
  }
}

void TableReadySet::answer_from_store(const std::string& job_id) {
  if (!events_.watched(job_id)) return;
  auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, job_id); });
  if (!view || !*view || !(*view)->completed) return;
  const auto& done = *(*view)->completed;
  events_.completed(JobCompletion{job_id, done.status, done.result_json.value_or("null")});
  events_.news(job_id);
}

Result<CancelOutcome> TableReadySet::cancel(const store::JobView& view, const std::string& canceler,
                                            const std::string& reason,
                                            std::optional<store::AuditRecord> audit) {
  const std::string id = view.job.id;
  EpochMs now = clock_.now_ms();
  if (is_flow_job(view.job)) {
    // Marked durably and due at once, in one transaction: the engine, on whichever node claims
    // the flow, cancels its running steps and ends it.
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
  // Decided under the row's lock: a job no worker holds yet ends here; a running one is
  // marked, and its node (whichever it is) hears of it and stops it.
  auto end_queued = finish_writes(view.job,
                                  {JobStatus::Canceled, canceled_result(reason, canceler),
                                   std::nullopt, now, 0, canceler, reason, std::nullopt},
                                  "", audit, std::nullopt, std::nullopt);
  std::optional<bool> was_running;
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto running = store::lock_queued_job(c, id);
    if (!running) return running.error();
    was_running = *running;
    if (!was_running) return Status::ok();  // it ended meanwhile
    if (!*was_running) return end_queued(c);
    MR_TRY(store::set_job_cancel(c, id, canceler, reason));
    if (audit) MR_TRY(store::insert_audit(c, *audit));
    return notify_nodes(c, Notice::canceled(id));
  });
  if (!s) return s.error();
  if (!was_running) return CancelOutcome::kAlreadyDone;
  if (!*was_running) {
    after_finish(JobCompletion{id, JobStatus::Canceled, canceled_result(reason, canceler)},
                 view.job.parent_job);
  }
  return CancelOutcome::kCanceled;
}

Status TableReadySet::announce(store::Connection& c, const Notice& notice) const {
  return notify_nodes(c, notice);
}

Status TableReadySet::outcome_written(store::Connection& c, const std::string&,
                                      const std::optional<std::string>& parent, EpochMs now) const {
  if (!parent) return Status::ok();
  MR_TRY(store::wake_flow_shared(c, *parent, false, now));
  return notify_nodes(c, Notice::ready());
}

void TableReadySet::outcome_stored(const std::optional<std::string>& parent) {
  // The parent is due in the table already: the workers here look.
  if (parent) kick_workers();
}

void TableReadySet::wait_for_children(const ClaimedJob& parent, ChildrenWait wait) {
  auto shared = std::make_shared<ChildrenWait>(std::move(wait));
  const std::string id = parent.job.id;
  // The row says whether the parent waits, sleeps or is ready again (a child ended meanwhile).
  EpochMs now = clock_.now_ms();
  db_.write(
      [id, shared, wakes = parent.wakes, now,
       node = options_.node](store::Connection& c) -> Status {
        MR_TRY(store::set_flow_status(c, id, shared->state));
        for (const auto& child : shared->children) {
          MR_TRY(store::insert_job(c, child.job, child.scheduled_for));
          if (child.job.same_worker) MR_TRY(store::pin_job_to_node(c, child.job.id, node));
        }
        MR_TRY(store::park_flow_shared(c, id, wakes, shared->due, now));
        return notify_nodes(c, Notice::ready());
      },
      [this, id](const Status& s) {
        running_.remove(id);
        if (!s) {
          // Nothing of this claim was kept: the parent is let go, to be claimed again.
          log::error("cannot store what job " + id + " waits for: " + s.error().message,
                     {{"job_id", id}});
          db_.write(
              [id, node = options_.node](store::Connection& c) -> Status {
                MR_TRY(store::release_claim(c, id, node));
                return notify_nodes(c, Notice::ready());
              },
              {});
        }
        kick_workers();
      });
}

void TableReadySet::wake_parent(const std::string& parent_id, bool even_if_scheduled) {
  EpochMs now = clock_.now_ms();
  db_.write(
      [parent_id, even_if_scheduled, now](store::Connection& c) -> Status {
        MR_TRY(store::wake_flow_shared(c, parent_id, even_if_scheduled, now));
        return notify_nodes(c, Notice::ready());
      },
      [this](const Status&) { kick_workers(); });
}

void TableReadySet::answer_waiters_early(const std::string& job_id,
                                         const std::string& result_json) {
  // Callers waiting on other nodes read the answer from the row.
  db_.write(
      [job_id, result_json](store::Connection& c) -> Status {
        MR_TRY(store::set_early_result(c, job_id, result_json));
        return notify_nodes(c, Notice::early_answer(job_id));
      },
      {});
  events_.completed(JobCompletion{job_id, JobStatus::Success, result_json});
}

void TableReadySet::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_cv_.notify_all();
  // Its thread hands notices and zombies here: it has ended once this returns.
  if (membership_) membership_->stop();
}

}  // namespace millrace::queue
