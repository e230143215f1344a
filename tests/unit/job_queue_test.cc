// The one-node queue (SQLite) against a real database file, with time moved by hand.
#include "queue/job_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "common/fake_clock.h"
#include "common/uuid.h"
#include "store/database.h"

namespace millrace::queue {
namespace {

class JobQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("millrace-queue-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto db = store::Database::open((dir_ / "q.db").string());
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    start_queue();
  }
  void TearDown() override {
    queue_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A new queue on the same database, as a server started again after a crash (the old one's
  // memory is gone; nothing was released).
  std::vector<std::string> start_queue() {
    queue_.reset();
    queue_ = std::make_unique<JobQueue>(*db_, clock_, /*max_crash_restarts=*/1);
    auto interrupted = queue_->recover();
    EXPECT_TRUE(interrupted);
    return interrupted ? *interrupted : std::vector<std::string>{};
  }
  // Every write queued so far is committed.
  void settle() {
    ASSERT_TRUE(db_->write_sync([](store::Connection&) { return Status::ok(); }));
  }
  NewJob script_job(EpochMs due_in = 0) {
    NewJob n;
    n.job.id = new_uuid_v7(clock_.now_ms());
    n.job.workspace_id = "w";
    n.job.created_at = clock_.now_ms();
    n.job.created_by = "alice";
    n.job.permissioned_as = "u/alice";
    n.job.kind = JobKind::Script;
    n.scheduled_for = clock_.now_ms() + due_in;
    return n;
  }
  // Enqueues and waits until the job is durable; `done` gets its completion.
  std::string enqueue(NewJob job, std::promise<JobCompletion>* done = nullptr) {
    std::string id = job.job.id;
    std::promise<Status> accepted;
    CompletionCallback on_complete;
    if (done) on_complete = [done](const JobCompletion& c) { done->set_value(c); };
    queue_->enqueue(
        std::move(job), [&](const Status& s) { accepted.set_value(s); }, on_complete);
    Status s = accepted.get_future().get();
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return id;
  }
  std::optional<store::JobView> stored(const std::string& id) {
    auto view = db_->read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
    EXPECT_TRUE(view);
    return view ? *view : std::nullopt;
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<JobQueue> queue_;
};

TEST_F(JobQueueTest, AnAcceptedJobIsStoredClaimedOnceAndItsOutcomeReachesItsWaiter) {
  std::promise<JobCompletion> done;
  auto future = done.get_future();
  std::string id = enqueue(script_job(), &done);
  ASSERT_TRUE(stored(id).has_value());  // durable before it was accepted

  auto claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->job.id, id);
  EXPECT_EQ(claimed->started_at, clock_.now_ms());
  EXPECT_FALSE(queue_->claim_next("wk-2", JobQueue::Wait::kNoWait));  // claimed once only

  clock_.advance(250);
  queue_->complete(*claimed, {JobStatus::Success, "42", "hello\n", std::nullopt}, "wk-1");
  JobCompletion completion = future.get();
  EXPECT_EQ(completion.id, id);
  EXPECT_EQ(completion.status, JobStatus::Success);
  EXPECT_EQ(completion.result_json, "42");

  auto view = stored(id);
  ASSERT_TRUE(view && view->completed);
  EXPECT_FALSE(view->queued);
  EXPECT_EQ(view->completed->status, JobStatus::Success);
  EXPECT_EQ(view->completed->result_json, "42");
  EXPECT_EQ(view->completed->duration_ms, 250);
  EXPECT_EQ(view->completed->worker, "wk-1");
}

TEST_F(JobQueueTest, AScheduledJobIsClaimedWhenItIsDueAndNotBefore) {
  std::string later = enqueue(script_job(/*due_in=*/60'000));
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  clock_.advance(59'999);
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  std::string sooner = enqueue(script_job());  // due now, before the first one
  clock_.advance(1);
  // Both are due: the one due earlier first, though it came later.
  auto first = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  auto second = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->job.id, sooner);
  EXPECT_EQ(second->job.id, later);
}

TEST_F(JobQueueTest, ABlockedWorkerWakesForAJobEnqueuedLater) {
  auto claimed = std::async(std::launch::async, [&] { return queue_->claim_next("wk-1"); });
  std::string id = enqueue(script_job());
  auto got = claimed.get();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->job.id, id);
}

TEST_F(JobQueueTest, StopReleasesABlockedWorker) {
  auto claimed = std::async(std::launch::async, [&] { return queue_->claim_next("wk-1"); });
  queue_->stop();
  EXPECT_FALSE(claimed.get());
}

TEST_F(JobQueueTest, ACanceledQueuedJobEndsCanceledAndIsNeverClaimed) {
  std::promise<JobCompletion> done;
  auto future = done.get_future();
  std::string id = enqueue(script_job(), &done);

  auto elsewhere = queue_->cancel("other-workspace", id, "mallory", "mine now", std::nullopt);
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().kind, ErrorKind::NotFound);

  auto canceled = queue_->cancel("w", id, "alice", "not needed", std::nullopt);
  ASSERT_TRUE(canceled) << canceled.error().message;
  EXPECT_EQ(*canceled, CancelOutcome::kCanceled);
  JobCompletion completion = future.get();
  EXPECT_EQ(completion.status, JobStatus::Canceled);
  EXPECT_NE(completion.result_json.find("not needed"), std::string::npos);
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  settle();
  auto view = stored(id);
  ASSERT_TRUE(view && view->completed);
  EXPECT_EQ(view->completed->status, JobStatus::Canceled);
  EXPECT_EQ(view->completed->canceled_by, "alice");

  auto again = queue_->cancel("w", id, "alice", "still not needed", std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, CancelOutcome::kAlreadyDone);
}

TEST_F(JobQueueTest, ARunningJobIsCanceledThroughItsHandler) {
  std::string id = enqueue(script_job());
  auto claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  int interrupts = 0;
  queue_->set_cancel_handler(id, [&] { ++interrupts; });
  auto canceled = queue_->cancel("w", id, "alice", "stop it", std::nullopt);
  ASSERT_TRUE(canceled);
  EXPECT_EQ(*canceled, CancelOutcome::kCanceled);
  EXPECT_EQ(interrupts, 1);
  EXPECT_EQ(queue_->cancel_reason(id),
            std::make_pair(std::string("alice"), std::string("stop it")));
}

// A flow is such a parent; here the queue alone, with a parent that names no flow.
TEST_F(JobQueueTest, AParentWaitsForItsChildrenThenUntilItIsDueOrWoken) {
  NewJob parent_job = script_job();
  parent_job.job.kind = JobKind::Flow;
  std::string parent = enqueue(std::move(parent_job));
  auto claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  NewJob child = script_job();
  child.job.parent_job = parent;
  const std::string child_id = child.job.id;
  queue_->wait_for_children(*claimed, {"first", {std::move(child)}, std::nullopt});
  settle();
  EXPECT_EQ(stored(parent)->job.flow_status, "first");

  // Only the child is claimable; its outcome, once stored, makes the parent ready.
  auto running_child = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(running_child);
  EXPECT_EQ(running_child->job.id, child_id);
  EXPECT_FALSE(queue_->claim_next("wk-2", JobQueue::Wait::kNoWait));
  queue_->complete(*running_child, {JobStatus::Success, "1", "", std::nullopt}, "wk-1");
  settle();
  claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->job.id, parent);

  // Asleep until due, not a millisecond before.
  queue_->wait_for_children(*claimed, {"asleep", {}, clock_.now_ms() + 5'000});
  settle();
  clock_.advance(4'999);
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  clock_.advance(1);
  claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->job.id, parent);

  // Woken (an approval came) long before it is due.
  queue_->wait_for_children(*claimed, {"waiting", {}, clock_.now_ms() + 3'600'000});
  settle();
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  queue_->wake_parent(parent);
  claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->job.id, parent);

  // Woken while it is claimed (a child ended during its turn): ready again at once after it.
  queue_->wake_parent(parent);
  queue_->wait_for_children(*claimed, {"again", {}, std::nullopt});
  settle();
  claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->job.id, parent);

  // A job scheduled for later is no waiting parent: waking it changes nothing.
  std::string later = enqueue(script_job(/*due_in=*/60'000));
  queue_->wake_parent(later);
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
}

TEST_F(JobQueueTest, AJobCutOffByACrashIsRestartedOnceThenFailed) {
  std::string id = enqueue(script_job());
  ASSERT_TRUE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  settle();  // its running mark is stored

  // The process dies; the next start finds the job running with no one running it.
  EXPECT_EQ(start_queue(), std::vector<std::string>{id});
  auto view = stored(id);
  ASSERT_TRUE(view && view->queued);
  EXPECT_EQ(view->queued->crash_restarts, 1);
  EXPECT_FALSE(view->queued->running);
  auto again = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->job.id, id);
  settle();

  // A second crash, with max_crash_restarts 1: the job fails, and says why.
  EXPECT_EQ(start_queue(), std::vector<std::string>{id});
  settle();
  view = stored(id);
  ASSERT_TRUE(view && view->completed);
  EXPECT_EQ(view->completed->status, JobStatus::Failure);
  EXPECT_NE(view->completed->result_json.value_or("").find("InterruptedError"), std::string::npos);
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
}

TEST_F(JobQueueTest, AJobNotYetStartedSurvivesARestartAndKeepsItsSchedule) {
  std::string id = enqueue(script_job(/*due_in=*/5'000));
  EXPECT_TRUE(start_queue().empty());
  EXPECT_FALSE(queue_->claim_next("wk-1", JobQueue::Wait::kNoWait));
  clock_.advance(5'000);
  auto claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->job.id, id);
}

TEST_F(JobQueueTest, AForgottenWaiterIsNotCalled) {
  NewJob job = script_job();
  std::string id = job.job.id;
  std::promise<Status> accepted;
  bool called = false;
  uint64_t waiter = queue_->enqueue(
      std::move(job), [&](const Status& s) { accepted.set_value(s); },
      [&](const JobCompletion&) { called = true; });
  ASSERT_TRUE(accepted.get_future().get());
  queue_->forget_waiter(id, waiter);
  auto claimed = queue_->claim_next("wk-1", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(claimed);
  queue_->complete(*claimed, {JobStatus::Failure, "{}", "", std::nullopt}, "wk-1");
  settle();
  EXPECT_FALSE(called);
  EXPECT_EQ(stored(id)->completed->status, JobStatus::Failure);
}

}  // namespace
}  // namespace millrace::queue
