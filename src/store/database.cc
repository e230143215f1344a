#include "store/database.h"

#include <chrono>
#include <future>

#include "common/clock.h"
#include "common/log.h"
#include "metrics/registry.h"
#include "store/claims.h"

namespace millrace::store {
namespace {
// Bounds one transaction so a flood of writes still commits (and answers) in steady steps.
constexpr size_t kMaxWritesPerCommit = 2000;
}  // namespace

Result<std::unique_ptr<Database>> Database::open(const std::string& path, size_t max_readers) {
  auto db = std::unique_ptr<Database>(new Database(path, max_readers));
  auto writer = Connection::open(path, false);
  if (!writer) return writer.error();
  db->writer_ = std::move(*writer);
  bool pg = db->writer_->backend() == Backend::kPostgres;
  // Processes starting together on one PostgreSQL database migrate it one at a time.
  if (pg) {
    if (auto s = db->writer_->exec("SELECT pg_advisory_lock(7242431)"); !s) return s.error();
  }
  Status migrated = migrate(*db->writer_);
  if (pg) db->writer_->exec("SELECT pg_advisory_unlock(7242431)");
  if (!migrated) return migrated.error();
  // One reader now: a database that refuses a second connection is an error at start, not a
  // read that waits for ever.
  auto reader = Connection::open(path, true);
  if (!reader) return reader.error();
  db->readers_.push_back(std::move(*reader));
  db->open_readers_ = 1;
  db->writer_thread_ = std::thread([raw = db.get()] { raw->writer_loop(); });
  return db;
}

Database::~Database() {
  {
    std::lock_guard lock(write_mutex_);
    stopping_ = true;
  }
  write_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
}

void Database::write(WriteFn fn, DoneFn done) {
  {
    std::lock_guard lock(write_mutex_);
    pending_.push_back({std::move(fn), std::move(done)});
  }
  write_cv_.notify_one();
}

Status Database::write_sync(WriteFn fn) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  write(std::move(fn), [&promise](const Status& s) { promise.set_value(s); });
  return future.get();
}

uint64_t Database::commit_count() const {
  return commits_.load();
}

void Database::writer_loop() {
  std::vector<Pending> batch;
  std::vector<Status> outcomes;
  const metrics::Labels backend = {
      {"backend", writer_->backend() == Backend::kPostgres ? "postgres" : "sqlite"}};
  auto& batch_sizes =
      metrics::registry()
          .histograms("millrace_db_write_batch_size",
                      "Writes committed together in one transaction", metrics::size_buckets())
          .histogram(backend);
  auto& commit_times = metrics::registry()
                           .histograms("millrace_db_commit_duration_seconds",
                                       "Time of one write transaction, from its first write to "
                                       "its durable commit",
                                       metrics::duration_buckets())
                           .histogram(backend);
  auto& failures = metrics::registry()
                       .counters("millrace_db_failed_transactions_total",
                                 "Write transactions that could not commit")
                       .counter(backend);
  while (true) {
    {
      std::unique_lock lock(write_mutex_);
      write_cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything queued was written
      while (!pending_.empty() && batch.size() < kMaxWritesPerCommit) {
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    auto started = std::chrono::steady_clock::now();
    // Writes almost never fail, so the batch first runs bare. If one fails, the whole batch is
    // rolled back and run again with a savepoint around each write, so that only the failing
    // one is undone. (Write functions must therefore be safe to run twice: they only assign.)
    Status tx = run_batch(batch, outcomes, false);
    bool any_failed = false;
    for (const auto& o : outcomes) any_failed = any_failed || !o;
    if (tx && any_failed) {
      writer_->exec("ROLLBACK");
      tx = run_batch(batch, outcomes, true);
    }
    // The notices of the writes kept go out with the commit (none if it fails).
    if (tx) tx = writer_->send_notices(kNoticeChannel);
    if (tx) {
      tx = writer_->exec("COMMIT");
      if (!tx) writer_->exec("ROLLBACK");
    }
    if (!tx) {
      log::error("write transaction failed: " + tx.error().message);
      failures.add();
    }
    commits_.fetch_add(1, std::memory_order_relaxed);
    batch_sizes.observe(static_cast<double>(batch.size()));
    commit_times.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!batch[i].done) continue;
      try {
        batch[i].done(tx ? outcomes[i] : tx);
      } catch (const std::exception& e) {
        log::error(std::string("a write's completion failed: ") + e.what());
      }
    }
    batch.clear();
  }
}

Status Database::run_batch(std::vector<Pending>& batch, std::vector<Status>& outcomes,
                           bool isolate_each) {
  outcomes.assign(batch.size(), Status::ok());
  writer_->forget_notices_since(0);
  if (auto s = writer_->begin(); !s) return s;
  // Bare, the batch is pipelined (PostgreSQL): its statements go out without waiting for each
  // answer. An error anywhere fails every write of it, so that it is run again isolated.
  if (!isolate_each) writer_->begin_pipeline();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (isolate_each) writer_->prepare("SAVEPOINT w").run();
    size_t notices = writer_->notices_mark();
    outcomes[i] = batch[i].fn(*writer_);
    if (isolate_each) {
      if (!outcomes[i]) {
        writer_->prepare("ROLLBACK TO w").run();
        writer_->forget_notices_since(notices);
      }
      writer_->prepare("RELEASE w").run();
    } else if (!outcomes[i]) {
      break;  // the caller sees the failure and runs the batch again, isolated
    }
  }
  if (!isolate_each) {
    if (auto s = writer_->end_pipeline(); !s) outcomes.assign(batch.size(), s);
  }
  return Status::ok();
}

// A free reader if there is one; else a new one while under the cap; else the next one
// returned. A connection the database refuses (PostgreSQL's max_connections reached, a restart)
// is said in the log, and the read waits for a reader of its own process, or tries again.
Database::Lease::Lease(Database& d) : db(d) {
  std::unique_lock lock(db.read_mutex_);
  while (true) {
    if (!db.readers_.empty()) {
      conn = std::move(db.readers_.back());
      db.readers_.pop_back();
      return;
    }
    if (db.open_readers_ < db.max_readers_) {
      ++db.open_readers_;
      lock.unlock();
      auto opened = Connection::open(db.path_, true);
      if (opened) {
        conn = std::move(*opened);
        return;
      }
      lock.lock();
      --db.open_readers_;
      int64_t now = now_ms();
      if (now - db.last_refusal_log_ms_ > 10'000) {
        db.last_refusal_log_ms_ = now;
        log::error("cannot open a read connection (" + std::to_string(db.open_readers_) +
                   " open): " + opened.error().message);
      }
      if (db.open_readers_ == 0) {
        // Not one reader to wait for: try again shortly.
        db.reader_returned_.wait_for(lock, std::chrono::milliseconds(200));
        continue;
      }
    }
    db.reader_returned_.wait(lock);
  }
}

Database::Lease::~Lease() {
  {
    std::lock_guard lock(db.read_mutex_);
    db.readers_.push_back(std::move(conn));
  }
  db.reader_returned_.notify_one();
}

}  // namespace millrace::store
