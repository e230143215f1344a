#include "store/sqlite.h"

#include <sqlite3.h>

#include <cstdlib>

#include "common/log.h"

namespace millrace::store {

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(stmt_);
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void SqliteStatement::bind_text(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void SqliteStatement::bind_int64(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
}
void SqliteStatement::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
}

Result<bool> SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(sqlite3_db_handle(stmt_));
  if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) {
    return conflict_error(msg);
  }
  return Error::internal("database: " + msg);
}

bool SqliteStatement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string SqliteStatement::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

int64_t SqliteStatement::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

Result<std::unique_ptr<Connection>> SqliteConnection::open(const std::string& path,
                                                           bool read_only) {
  sqlite3* db = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error::internal("cannot open database " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  auto conn = std::unique_ptr<Connection>(new SqliteConnection(db));
  // WAL lets readers run beside the single writer; FULL makes every commit durable (fsync)
  // before a job id is answered.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA temp_store=MEMORY"}) {
    if (read_only && std::string_view(pragma).find("journal_mode") != std::string_view::npos) {
      continue;
    }
    if (auto s = conn->exec(pragma); !s) return s.error();
  }
  return conn;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // statements are finalized before their connection closes
  sqlite3_close(db_);
}

Status SqliteConnection::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Error::internal("database: " + msg);
  }
  return Status::ok();
}

Statement SqliteConnection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(it->second.get());
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    // Statements are compiled-in constants: a failure here is a programming error.
    log::error(std::string("cannot prepare SQL: ") + sqlite3_errmsg(db_) + " in: " + sql);
    abort();
  }
  auto& kept = cache_[sql] = std::make_unique<SqliteStatement>(stmt);
  return Statement(kept.get());
}

int64_t SqliteConnection::changes() const {
  return sqlite3_changes64(db_);
}
}  // namespace millrace::store
