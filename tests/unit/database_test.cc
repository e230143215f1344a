#include "store/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/audit.h"
#include "store/jobs.h"

namespace millrace::store {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("millrace-db-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto db = Database::open((dir_ / "t.db").string());
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  int64_t count_audit() {
    return db_->read([](Connection& c) {
      auto s = c.prepare("SELECT count(*) FROM audit");
      (void)s.step();
      return s.int64(0);
    });
  }
  static AuditRecord row(int i) {
    AuditRecord a;
    a.workspace_id = "w";
    a.timestamp = i;
    a.username = "u";
    a.operation = "test.op";
    a.action_kind = "Create";
    return a;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, ConcurrentWritesShareCommits) {
  const uint64_t before = db_->commit_count();
  constexpr int kThreads = 8, kPerThread = 250;
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        db_->write([t, i](Connection& c) { return insert_audit(c, row(t * 1000 + i)); },
                   [&](const Status& s) {
                     EXPECT_TRUE(s);
                     ++done;
                   });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(db_->write_sync([](Connection&) { return Status::ok(); }));
  EXPECT_EQ(done.load(), kThreads * kPerThread);
  EXPECT_EQ(count_audit(), kThreads * kPerThread);
  // Every write is acknowledged only after a commit, yet far fewer commits than writes ran.
  EXPECT_LT(db_->commit_count() - before, static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_F(DatabaseTest, AFailingWriteDoesNotUndoTheOthersInItsBatch) {
  std::atomic<int> failed{0}, succeeded{0};
  for (int i = 0; i < 50; ++i) {
    db_->write(
        [i](Connection& c) -> Status {
          if (auto s = insert_audit(c, row(i)); !s) return s;
          if (i == 25) return Error::bad_request("refused");  // after writing: must be undone
          return Status::ok();
        },
        [&](const Status& s) { s ? ++succeeded : ++failed; });
  }
  ASSERT_TRUE(db_->write_sync([](Connection&) { return Status::ok(); }));
  EXPECT_EQ(failed.load(), 1);
  EXPECT_EQ(succeeded.load(), 49);
  EXPECT_EQ(count_audit(), 49);
}

TEST_F(DatabaseTest, WritesSurviveReopening) {
  ASSERT_TRUE(db_->write_sync([](Connection& c) { return insert_audit(c, row(1)); }));
  db_.reset();
  auto db = Database::open((dir_ / "t.db").string());
  ASSERT_TRUE(db);
  db_ = std::move(*db);
  EXPECT_EQ(count_audit(), 1);
}

TEST_F(DatabaseTest, AJobsKindTriggerAndOutcomeAreStoredAsWindmillSpellsThem) {
  JobRecord job;
  job.id = "01900000-0000-7000-8000-000000000001";
  job.workspace_id = "w";
  job.kind = JobKind::FlowNode;
  job.trigger_kind = TriggerKind::Webhook;
  ASSERT_TRUE(db_->write_sync([&](Connection& c) { return insert_job(c, job, 0); }));
  CompletedState done;
  done.status = JobStatus::Canceled;
  ASSERT_TRUE(db_->write_sync([&](Connection& c) { return complete_job(c, job.id, "w", done); }));
  auto stored = db_->read([&](Connection& c) {
    auto s = c.prepare(
        "SELECT j.kind, j.trigger_kind, c.status FROM job j JOIN job_completed c ON c.id = j.id");
    (void)s.step();
    return s.text(0) + " " + s.text(1) + " " + s.text(2);
  });
  EXPECT_EQ(stored, "flownode webhook canceled");
  auto view = db_->read([&](Connection& c) { return get_job_by_id(c, job.id); });
  ASSERT_TRUE(view && *view);
  EXPECT_EQ((*view)->job.kind, JobKind::FlowNode);
  EXPECT_EQ((*view)->job.trigger_kind, TriggerKind::Webhook);
  EXPECT_EQ((*view)->completed->status, JobStatus::Canceled);

  // A kind this server does not know is an error when read, never guessed.
  ASSERT_TRUE(db_->write_sync([&](Connection& c) {
    auto s = c.prepare("UPDATE job SET kind = 'someday' WHERE id = ?");
    s.bind(1, job.id);
    return s.run();
  }));
  auto unknown = db_->read([&](Connection& c) { return get_job_by_id(c, job.id); });
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown kind: someday"), std::string::npos);
}

TEST_F(DatabaseTest, ReadsBeyondTheCapWaitForAFreeConnection) {
  db_.reset();
  auto db = Database::open((dir_ / "t.db").string(), /*max_readers=*/2);
  ASSERT_TRUE(db);
  db_ = std::move(*db);
  std::mutex mutex;
  std::condition_variable changed;
  int inside = 0, most = 0, done = 0;
  std::set<const Connection*> connections;
  std::vector<std::thread> readers;
  for (int i = 0; i < 6; ++i) {
    readers.emplace_back([&] {
      db_->read([&](Connection& c) {
        std::unique_lock lock(mutex);
        connections.insert(&c);
        most = std::max(most, ++inside);
        changed.notify_all();
        // Held until a second reader is in (or briefly, if none can come): no timing matters.
        changed.wait_for(lock, std::chrono::milliseconds(50), [&] { return inside >= 2; });
        --inside;
        ++done;
        return 0;
      });
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(done, 6);
  EXPECT_LE(most, 2);
  EXPECT_LE(connections.size(), 2u);
}

}  // namespace
}  // namespace millrace::store
