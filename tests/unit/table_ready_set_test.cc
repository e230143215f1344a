// The queue shared on PostgreSQL (queue/table_ready_set.h, queue/node_membership.h) with two
// nodes in one process and time moved by hand: a node that stops pinging its job, and a node
// that is gone, lose it to the other. Against a real PostgreSQL: the CTest entry
// `unit_postgres_connection` runs them with MILLRACE_E2E_POSTGRES set; elsewhere they are
// skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>

#include "common/fake_clock.h"
#include "common/uuid.h"
#include "queue/job_queue.h"
#include "store/connection.h"
#include "store/database.h"

namespace millrace::queue {
namespace {

class TableReadySetTest : public ::testing::Test {
 protected:
  // One node: a process's own database handle and queue.
  struct Node {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<JobQueue> queue;
  };

  void SetUp() override {
    const char* base = std::getenv("MILLRACE_E2E_POSTGRES");
    if (!base) GTEST_SKIP() << "needs the tests' PostgreSQL cluster (MILLRACE_E2E_POSTGRES)";
    std::string name = "unit_table_ready_set_" + std::to_string(getpid());
    auto admin = store::Connection::open(base, false);
    ASSERT_TRUE(admin) << admin.error().message;
    (*admin)->exec("DROP DATABASE IF EXISTS " + name);
    ASSERT_TRUE((*admin)->exec("CREATE DATABASE " + name));
    std::string b = base;
    url_ = b.substr(0, b.rfind('/') + 1) + name;
  }
  void TearDown() override {
    nodes_.clear();
    if (url_.empty()) return;
    if (auto admin = store::Connection::open(std::getenv("MILLRACE_E2E_POSTGRES"), false)) {
      (*admin)->exec("DROP DATABASE IF EXISTS " + url_.substr(url_.rfind('/') + 1) +
                     " WITH (FORCE)");
    }
  }

  // A node that finds a job not pinged for `zombie_timeout_ms` a zombie, and pings its own
  // every quarter of that.
  Node& start_node(int64_t id, EpochMs zombie_timeout_ms) {
    auto db = store::Database::open(url_);
    EXPECT_TRUE(db) << db.error().message;
    SharedQueueOptions options{id, /*safety_poll_ms=*/50, zombie_timeout_ms,
                               [this](const std::string& job_id) {
                                 std::lock_guard lock(mutex_);
                                 leftovers_killed_.push_back(job_id);
                               }};
    auto queue = std::make_unique<JobQueue>(**db, clock_, /*max_crash_restarts=*/1, options);
    auto interrupted = queue->recover();
    EXPECT_TRUE(interrupted) << interrupted.error().message;
    nodes_.push_back(std::make_unique<Node>(Node{std::move(*db), std::move(queue)}));
    return *nodes_.back();
  }

  std::string enqueue(JobQueue& queue) {
    NewJob n;
    n.job.id = new_uuid_v7(clock_.now_ms());
    n.job.workspace_id = "w";
    n.job.created_at = clock_.now_ms();
    n.job.created_by = "alice";
    n.job.permissioned_as = "u/alice";
    n.job.kind = JobKind::Script;
    n.scheduled_for = clock_.now_ms();
    std::promise<Status> accepted;
    queue.enqueue(n, [&](const Status& s) { accepted.set_value(s); });
    Status s = accepted.get_future().get();
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return n.job.id;
  }

  // Moves time on by `step` every few milliseconds until `node` can claim a job (10 s at most).
  std::optional<ClaimedJob> claim_while_time_passes(Node& node, const std::string& worker,
                                                    EpochMs step) {
    for (int i = 0; i < 500; ++i) {
      if (auto claimed = node.queue->claim_next(worker, JobQueue::Wait::kNoWait)) return claimed;
      clock_.advance(step);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

  std::optional<store::JobView> stored(Node& node, const std::string& id) {
    (void)node.db->write_sync([](store::Connection&) { return Status::ok(); });
    auto view = node.db->read([&](store::Connection& c) { return store::get_job_by_id(c, id); });
    EXPECT_TRUE(view);
    return view ? *view : std::nullopt;
  }

  FakeClock clock_;
  std::string url_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::mutex mutex_;
  std::vector<std::string> leftovers_killed_;
};

TEST_F(TableReadySetTest, AJobNotPingedInTimeIsRestartedElsewhereAndTheLateOutcomeIsDropped) {
  // Node 1 pings every 15 minutes: to node 2, which wants a ping each second, it hangs.
  Node& hung = start_node(1, 3'600'000);
  Node& other = start_node(2, 1'000);
  const std::string id = enqueue(*hung.queue);
  auto first = hung.queue->claim_next("hung-wk", JobQueue::Wait::kNoWait);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->job.id, id);
  EXPECT_FALSE(other.queue->claim_next("other-wk", JobQueue::Wait::kNoWait));

  auto again = claim_while_time_passes(other, "other-wk", 200);
  ASSERT_TRUE(again) << "the zombie was never restarted";
  EXPECT_EQ(again->job.id, id);
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(leftovers_killed_, std::vector<std::string>{id});
  }
  auto view = stored(other, id);
  ASSERT_TRUE(view && view->queued);
  EXPECT_EQ(view->queued->crash_restarts, 1);
  EXPECT_EQ(view->queued->worker, "other-wk");

  // The hung worker finishes after all, last: the job is no longer its own, and its outcome is
  // dropped instead of overwriting the one kept.
  other.queue->complete(*again, {JobStatus::Success, "\"kept\"", "", std::nullopt}, "other-wk");
  (void)other.db->write_sync([](store::Connection&) { return Status::ok(); });
  hung.queue->complete(*first, {JobStatus::Success, "\"late\"", "", std::nullopt}, "hung-wk");
  (void)hung.db->write_sync([](store::Connection&) { return Status::ok(); });
  view = stored(other, id);
  ASSERT_TRUE(view && view->completed);
  EXPECT_EQ(view->completed->result_json, "\"kept\"");
  EXPECT_EQ(view->completed->worker, "other-wk");
}

TEST_F(TableReadySetTest, TheJobOfANodeThatIsGoneIsRestartedOnceItsLockStaysFree) {
  Node* gone = &start_node(1, 60'000);
  Node& other = start_node(2, 60'000);
  const std::string id = enqueue(*gone->queue);
  ASSERT_TRUE(gone->queue->claim_next("gone-wk", JobQueue::Wait::kNoWait));
  // The process dies: its sessions close (its node lock with them), its job stays running.
  nodes_.erase(nodes_.begin());
  gone = nullptr;

  auto again = claim_while_time_passes(other, "other-wk", 100);
  ASSERT_TRUE(again) << "the job of the gone node was never restarted";
  EXPECT_EQ(again->job.id, id);
  auto view = stored(other, id);
  ASSERT_TRUE(view && view->queued);
  EXPECT_EQ(view->queued->crash_restarts, 1);
  auto logs = other.db->read([&](store::Connection& c) { return store::get_job_logs(c, id); });
  ASSERT_TRUE(logs && *logs);
  EXPECT_NE((*logs)->find("restarting it"), std::string::npos);
}

}  // namespace
}  // namespace millrace::queue
