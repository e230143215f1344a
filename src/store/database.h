// The embedded database: one writer thread that group-commits, and a pool of readers.
//
// Writes are closures run by the writer thread. Whatever closures are waiting when the writer
// wakes share one transaction (each inside its own savepoint, so one failing closure does not
// undo the others) and one fsync. A closure's `done` callback runs on the writer thread only
// after COMMIT returned, i.e. once the write is durable: that is when a job id may be answered.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "store/connection.h"

namespace millrace::store {

class Database {
 public:
  using WriteFn = std::function<Status(Connection&)>;
  using DoneFn = std::function<void(const Status&)>;

  // Opens (creating if needed) the database file and applies pending migrations. At most
  // `max_readers` read connections are open at once: a read beyond waits for one to be free.
  static Result<std::unique_ptr<Database>> open(const std::string& path, size_t max_readers = 16);
  ~Database();

  // Queues a write; `done` (may be empty) gets its outcome after the batch commits. `done`
  // runs on the writer thread: keep it short and never call write_sync from it.
  void write(WriteFn fn, DoneFn done);
  // Queues a write and blocks until it is durable.
  Status write_sync(WriteFn fn);

  // The database's name as opened (a file path, or a postgres:// URL).
  const std::string& location() const { return path_; }
  // Whether other processes may share this database (PostgreSQL).
  bool shared() const { return writer_->backend() == Backend::kPostgres; }

  // Runs `fn` with a read connection borrowed for the call.
  template <typename F>
  auto read(F&& fn) {
    Lease lease(*this);
    return fn(*lease.conn);
  }

  // Number of committed write transactions since open (benchmarks: idle writes/s).
  uint64_t commit_count() const;

 private:
  struct Pending {
    WriteFn fn;
    DoneFn done;
  };
  struct Lease {
    explicit Lease(Database& db);
    ~Lease();
    Database& db;
    std::unique_ptr<Connection> conn;
  };

  Database(std::string path, size_t max_readers)
      : path_(std::move(path)), max_readers_(std::max<size_t>(1, max_readers)) {}
  void writer_loop();
  // Runs every write of the batch inside an open transaction (begun here); the caller commits.
  Status run_batch(std::vector<Pending>& batch, std::vector<Status>& outcomes, bool isolate_each);

  std::string path_;
  std::unique_ptr<Connection> writer_;
  std::mutex write_mutex_;
  std::condition_variable write_cv_;
  std::deque<Pending> pending_;
  bool stopping_ = false;
  std::thread writer_thread_;
  std::atomic<uint64_t> commits_{0};

  std::mutex read_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<Connection>> readers_;  // open and free
  const size_t max_readers_;
  size_t open_readers_ = 0;  // free or lent
  int64_t last_refusal_log_ms_ = 0;
};

// Applies the numbered migrations that the database has not seen yet (PRAGMA user_version).
Status migrate(Connection& conn);

}  // namespace millrace::store
