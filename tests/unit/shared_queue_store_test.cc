// The statements of the queue shared on PostgreSQL (store/claims.h) and its notices
// (store/notices.h), against a real PostgreSQL: the CTest entry `unit_postgres_connection` runs
// them with MILLRACE_E2E_POSTGRES set (the tests' throwaway cluster); elsewhere they are skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/claims.h"
#include "store/database.h"
#include "store/jobs.h"
#include "store/notices.h"

namespace millrace::store {
namespace {

class SharedQueueStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* base = std::getenv("MILLRACE_E2E_POSTGRES");
    if (!base) GTEST_SKIP() << "needs the tests' PostgreSQL cluster (MILLRACE_E2E_POSTGRES)";
    // A database of its own, with the schema: Database::open migrates it.
    std::string name = "unit_shared_queue_" + std::to_string(getpid());
    auto admin = Connection::open(base, false);
    ASSERT_TRUE(admin) << admin.error().message;
    (*admin)->exec("DROP DATABASE IF EXISTS " + name);
    ASSERT_TRUE((*admin)->exec("CREATE DATABASE " + name));
    std::string b = base;
    url_ = b.substr(0, b.rfind('/') + 1) + name;
    auto db = Database::open(url_);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    if (url_.empty()) return;
    const char* base = std::getenv("MILLRACE_E2E_POSTGRES");
    if (auto admin = Connection::open(base, false)) {
      (*admin)->exec("DROP DATABASE IF EXISTS " + url_.substr(url_.rfind('/') + 1) +
                     " WITH (FORCE)");
    }
  }
  std::unique_ptr<Connection> open() {
    auto c = Connection::open(url_, false);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(*c) : nullptr;
  }
  static std::string add_job(Connection& c, const std::string& id, int64_t priority,
                             EpochMs scheduled_for, JobKind kind = JobKind::Script) {
    JobRecord job;
    job.id = id;
    job.workspace_id = "admins";
    job.created_by = "admin";
    job.permissioned_as = "u/admin";
    job.email = "admin@windmill.dev";
    job.kind = kind;
    job.priority = priority;
    EXPECT_TRUE(insert_job(c, job, scheduled_for));
    return id;
  }
  static std::string claimed(Connection& c, EpochMs now, int64_t node = 1) {
    auto claim = claim_job(c, "wk-test", node, now);
    EXPECT_TRUE(claim) << (claim ? "" : claim.error().message);
    return claim && *claim ? (*claim)->id : "";
  }

  std::string url_;
  std::unique_ptr<Database> db_;
};

constexpr const char* kA = "00000000-0000-7000-8000-00000000000a";
constexpr const char* kB = "00000000-0000-7000-8000-00000000000b";
constexpr const char* kC = "00000000-0000-7000-8000-00000000000c";
constexpr const char* kD = "00000000-0000-7000-8000-00000000000d";

TEST_F(SharedQueueStoreTest, ClaimsTheHighestPriorityThenTheEarliestDueAndNothingLater) {
  auto c = open();
  ASSERT_TRUE(c);
  add_job(*c, kA, 0, 100);
  add_job(*c, kB, 5, 200);
  add_job(*c, kC, 0, 50);
  add_job(*c, kD, 9, 5000);  // highest priority, but not due yet
  EXPECT_EQ(claimed(*c, 1000), kB);
  EXPECT_EQ(claimed(*c, 1000), kC);
  EXPECT_EQ(claimed(*c, 1000), kA);
  EXPECT_EQ(claimed(*c, 1000), "");
  auto due = next_due(*c);
  ASSERT_TRUE(due && *due);
  EXPECT_EQ(**due, 5000);
  EXPECT_EQ(claimed(*c, 5000), kD);
}

TEST_F(SharedQueueStoreTest, ARowClaimedInAnOpenTransactionIsSkippedNotWaitedFor) {
  auto first = open();
  auto second = open();
  ASSERT_TRUE(first && second);
  add_job(*first, kA, 0, 1);
  add_job(*first, kB, 0, 2);
  ASSERT_TRUE(first->begin());
  EXPECT_EQ(claimed(*first, 10), kA);
  // Another node, meanwhile: the locked row is skipped, the next one is taken.
  EXPECT_EQ(claimed(*second, 10), kB);
  EXPECT_EQ(claimed(*second, 10), "");
  // The first claim is undone: the row is free again.
  ASSERT_TRUE(first->exec("ROLLBACK"));
  EXPECT_EQ(claimed(*second, 10), kA);
}

TEST_F(SharedQueueStoreTest, AFlowWaitsForItsStepsUnlessOneEndedWhileItWasAdvanced) {
  auto c = open();
  ASSERT_TRUE(c);
  add_job(*c, kA, 0, 1, JobKind::Flow);
  auto claim = claim_job(*c, "wk-test", 1, 10);
  ASSERT_TRUE(claim && *claim);
  int64_t wakes = (*claim)->wakes;
  // It parks to wait for a step: not claimable until the step ends.
  auto ready = park_flow_shared(*c, kA, wakes, std::nullopt, 20);
  ASSERT_TRUE(ready);
  EXPECT_FALSE(*ready);
  EXPECT_EQ(claimed(*c, 30), "");
  ASSERT_TRUE(wake_flow_shared(*c, kA, false, 40));
  claim = claim_job(*c, "wk-test", 1, 50);
  ASSERT_TRUE(claim && *claim);
  EXPECT_EQ((*claim)->id, kA);
  // This time the step ends while the flow is being advanced: parking finds it due at once.
  ASSERT_TRUE(wake_flow_shared(*c, kA, false, 60));
  ready = park_flow_shared(*c, kA, (*claim)->wakes, std::nullopt, 70);
  ASSERT_TRUE(ready);
  EXPECT_TRUE(*ready);
  claim = claim_job(*c, "wk-test", 1, 80);
  ASSERT_TRUE(claim && *claim);
  EXPECT_EQ((*claim)->id, kA);
  // Asleep until 500: not due before.
  ready = park_flow_shared(*c, kA, (*claim)->wakes, EpochMs{500}, 90);
  ASSERT_TRUE(ready);
  EXPECT_FALSE(*ready);
  EXPECT_EQ(claimed(*c, 100), "");
  EXPECT_EQ(claimed(*c, 500), kA);
}

TEST_F(SharedQueueStoreTest, ANodeIsGoneExactlyWhenItsSessionIs) {
  auto node = open();
  auto other = open();
  ASSERT_TRUE(node && other);
  ASSERT_TRUE(node->exec(node_lock_sql(4242)));
  auto gone = node_is_gone(*other, 4242);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  node.reset();  // the process ends: its session, and so its lock, goes
  // The server ends the session a moment after the client closes it.
  for (int i = 0; i < 500 && !*gone; ++i) {
    usleep(10'000);
    gone = node_is_gone(*other, 4242);
    ASSERT_TRUE(gone);
  }
  EXPECT_TRUE(*gone);
  gone = node_is_gone(*other, 4242);  // asking does not keep the lock
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
  auto third = open();
  gone = node_is_gone(*third, 4242);
  ASSERT_TRUE(gone);
  EXPECT_TRUE(*gone);
}

TEST_F(SharedQueueStoreTest, AZombieIsTakenOnceAndOnlyFromTheWorkerThatHeldIt) {
  auto c = open();
  ASSERT_TRUE(c);
  add_job(*c, kA, 0, 1);
  ASSERT_EQ(claimed(*c, 10, 7), kA);
  auto zombies = zombie_jobs(*c, {}, 5);
  ASSERT_TRUE(zombies);
  EXPECT_TRUE(zombies->empty()) << "pinged at 10, after 5";
  ASSERT_TRUE(ping_running_jobs(*c, 7, {kA}, 10));
  zombies = zombie_jobs(*c, {}, 11);
  ASSERT_TRUE(zombies);
  ASSERT_EQ(zombies->size(), 1u);
  EXPECT_EQ((*zombies)[0].worker, "wk-test");
  zombies = zombie_jobs(*c, {7}, 0);  // by its node, gone
  ASSERT_TRUE(zombies && zombies->size() == 1u);
  EXPECT_FALSE(*take_zombie(*c, kA, "wk-other"));
  EXPECT_TRUE(*take_zombie(*c, kA, "wk-test"));
  EXPECT_FALSE(*take_zombie(*c, kA, "wk-test")) << "a second sweeper finds it taken";
  EXPECT_FALSE(*job_held_by(*c, kA, "wk-test")) << "its late outcome is refused";
  EXPECT_EQ(claimed(*c, 20), kA);
}

TEST_F(SharedQueueStoreTest, NoticesGoOutOnceAtCommitAndNotForUndoneWrites) {
  auto listener = NoticeListener::open(url_, {});
  ASSERT_TRUE(listener) << listener.error().message;
  auto c = open();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->begin());
  c->add_notice("q");
  c->add_notice("d 1");
  c->add_notice("q");
  size_t mark = c->notices_mark();
  c->add_notice("c undone");
  c->forget_notices_since(mark);
  ASSERT_TRUE(c->send_notices(kNoticeChannel));
  std::vector<std::string> got;
  EXPECT_EQ((*listener)->wait(50, got), NoticeListener::Wake::kTimeout) << "not before commit";
  ASSERT_TRUE(c->exec("COMMIT"));
  std::vector<std::string> all;
  for (int i = 0; i < 20 && all.size() < 2; ++i) {
    (*listener)->wait(100, got);
    all.insert(all.end(), got.begin(), got.end());
  }
  EXPECT_EQ(all, (std::vector<std::string>{"q", "d 1"}));
  // A transaction rolled back sends nothing.
  ASSERT_TRUE(c->begin());
  c->add_notice("q");
  ASSERT_TRUE(c->send_notices(kNoticeChannel));
  ASSERT_TRUE(c->exec("ROLLBACK"));
  EXPECT_EQ((*listener)->wait(200, got), NoticeListener::Wake::kTimeout);
  EXPECT_TRUE(got.empty());
}

// The writer pipelines a batch; a write that fails in it fails alone (the batch runs again, one
// savepoint per write), and the others commit, with their notices.
TEST_F(SharedQueueStoreTest, APipelinedBatchWithAFailingWriteCommitsTheOthers) {
  auto listener = NoticeListener::open(url_, {});
  ASSERT_TRUE(listener) << listener.error().message;
  std::mutex mutex;
  std::vector<std::pair<std::string, bool>> outcomes;
  auto write_job = [&](const std::string& id, const std::string& notice) {
    db_->write(
        [id, notice](Connection& c) -> Status {
          c.add_notice(notice);
          return Status(add_job(c, id, 0, 0).empty() ? Error::internal("no id") : Status::ok());
        },
        [&, id](const Status& s) {
          std::lock_guard lock(mutex);
          outcomes.emplace_back(id, s.is_ok());
        });
  };
  // The writer takes whatever waits: hold it with a first write until all are queued.
  std::promise<void> release;
  auto released = release.get_future().share();
  db_->write(
      [released](Connection&) {
        released.wait();
        return Status::ok();
      },
      {});
  write_job(kA, "a");
  db_->write(
      [](Connection& c) -> Status {  // kA again: a duplicate key
        JobRecord job;
        job.id = kA;
        job.workspace_id = "admins";
        job.kind = JobKind::Script;
        c.add_notice("never");
        return insert_job(c, job, 0);
      },
      [&](const Status& s) {
        std::lock_guard lock(mutex);
        outcomes.emplace_back("duplicate", s.is_ok());
      });
  write_job(kB, "b");
  write_job(kC, "c");
  release.set_value();
  ASSERT_TRUE(db_->write_sync([](Connection&) { return Status::ok(); }));
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes, (std::vector<std::pair<std::string, bool>>{
                          {kA, true}, {kB, true}, {kC, true}, {"duplicate", false}}));
  auto c = open();
  ASSERT_TRUE(c);
  auto rows = c->prepare("SELECT count(*) FROM job_queue");
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.int64(0), 3);
  std::vector<std::string> got, all;
  for (int i = 0; i < 20 && all.size() < 3; ++i) {
    (*listener)->wait(100, got);
    all.insert(all.end(), got.begin(), got.end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace millrace::store
