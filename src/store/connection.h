// A database connection and its prepared statements, whatever the backend: the embedded SQLite
// file (the default) or PostgreSQL (DATABASE_URL=postgres://…). Only store/ includes this
// header; nothing above the store sees a statement or a column index.
//
// Statements are written once, in the SQL both backends accept: `?` or `?N` parameters (the
// PostgreSQL connection numbers them `$N`), ON CONFLICT upserts, no backend's own functions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace millrace::store {

enum class Backend { kSqlite, kPostgres };

// One prepared statement of a connection, as the backend keeps it.
class PreparedStatement {
 public:
  virtual ~PreparedStatement() = default;
  virtual void bind_text(int i, std::string_view v) = 0;
  virtual void bind_int64(int i, int64_t v) = 0;
  virtual void bind_null(int i) = 0;
  virtual Result<bool> step() = 0;
  // Runs to completion, rows ignored (a pipelined connection sends it and goes on).
  virtual Status run();
  virtual bool is_null(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual int64_t int64(int col) const = 0;
  // Ready for the next use: bindings and rows cleared.
  virtual void reset() = 0;
};

// A prepared statement borrowed from its connection's cache; reset when the borrow ends.
class Statement {
 public:
  explicit Statement(PreparedStatement* p) : p_(p) {}
  ~Statement() {
    if (p_) p_->reset();
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }

  // Bind by 1-based index. An empty optional binds NULL.
  Statement& bind(int i, std::string_view v) {
    p_->bind_text(i, v);
    return *this;
  }
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, int64_t v) {
    p_->bind_int64(i, v);
    return *this;
  }
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, bool v) { return bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  Statement& bind(int i, const std::optional<std::string>& v) {
    return v ? bind(i, std::string_view(*v)) : bind_null(i);
  }
  Statement& bind(int i, const std::optional<int64_t>& v) { return v ? bind(i, *v) : bind_null(i); }
  Statement& bind_null(int i) {
    p_->bind_null(i);
    return *this;
  }

  // Steps once: true when a row is available, false when done. Errors become Status (a
  // constraint violation is a 400 in plain words: conflict_error()).
  Result<bool> step() { return p_->step(); }
  // Runs to completion, ignoring rows.
  Status run();

  bool is_null(int col) const { return p_->is_null(col); }
  std::string text(int col) const { return p_->text(col); }
  std::optional<std::string> optional_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  int64_t int64(int col) const { return p_->int64(col); }
  std::optional<int64_t> optional_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }

 private:
  PreparedStatement* p_;
};

// A write that a constraint refused (a duplicate, most often): the caller's doing, said in
// plain words; the database's own text (table and column names) goes to the log only.
Error conflict_error(const std::string& database_message);

class Connection {
 public:
  // `location` is a file path (SQLite) or a postgres:// or postgresql:// URL.
  static Result<std::unique_ptr<Connection>> open(const std::string& location, bool read_only);
  static bool is_postgres_url(std::string_view location);
  virtual ~Connection() = default;

  virtual Backend backend() const = 0;
  // One or more statements, no parameters (migrations, transaction control).
  virtual Status exec(const std::string& sql) = 0;
  // Prepared once per connection and cached by its text.
  virtual Statement prepare(const std::string& sql) = 0;
  // Rows changed by the last statement run.
  virtual int64_t changes() const = 0;
  // Starts the writer's transaction (SQLite takes its write lock at once).
  virtual Status begin() = 0;
  // PostgreSQL: from here, a statement run for its effect only (Statement::run) is sent without
  // waiting for its answer, so a batch of writes costs one round trip, not one per statement.
  // A statement whose rows or changes() are read waits for every answer before it. An error
  // in the pipeline fails what comes after it, up to end_pipeline(), which reports it: the
  // writer then runs the batch again, without the pipeline. SQLite: nothing to do.
  virtual void begin_pipeline() {}
  virtual Status end_pipeline() { return Status::ok(); }
  // A statement to run again whenever the connection has to be opened again (a session-level
  // setting or lock). SQLite connections are never reopened.
  virtual void add_session_setup(std::string sql) { (void)sql; }

  // Notices for other processes (PostgreSQL NOTIFY on `channel`), collected by the writer's
  // transaction and sent in one statement just before it commits (the same notice once). A
  // write that is undone (rolled back to its savepoint) takes its notices back with `mark` and
  // `forget_notices_since`. SQLite has no other process to tell: they are dropped.
  virtual void add_notice(const std::string& notice) { (void)notice; }
  virtual size_t notices_mark() const { return 0; }
  virtual void forget_notices_since(size_t mark) { (void)mark; }
  virtual Status send_notices(const std::string& channel) {
    (void)channel;
    return Status::ok();
  }
};

}  // namespace millrace::store
