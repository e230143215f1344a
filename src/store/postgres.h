// The PostgreSQL backend of store/connection.h, through libpq. Statements are prepared on the
// server once per connection (`?`/`?N` become `$N`); every value travels as text and takes the
// type PostgreSQL infers for it, so store/ code binds and reads exactly as with SQLite.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/connection.h"

struct pg_conn;
struct pg_result;

namespace millrace::store {

class PostgresConnection;

class PostgresStatement final : public PreparedStatement {
 public:
  PostgresStatement(PostgresConnection& conn, std::string name, int params)
      : conn_(conn), name_(std::move(name)), params_(static_cast<size_t>(params)) {}
  ~PostgresStatement() override;
  void bind_text(int i, std::string_view v) override;
  void bind_int64(int i, int64_t v) override;
  void bind_null(int i) override;
  Result<bool> step() override;
  bool is_null(int col) const override;
  std::string text(int col) const override;
  int64_t int64(int col) const override;
  void reset() override;

 private:
  PostgresConnection& conn_;
  std::string name_;
  std::vector<std::optional<std::string>> params_;
  pg_result* result_ = nullptr;  // all rows, once run
  int row_ = -1;
  int rows_ = 0;
};

class PostgresConnection final : public Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& url);
  ~PostgresConnection() override;

  Backend backend() const override { return Backend::kPostgres; }
  Status exec(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  int64_t changes() const override { return changes_; }
  Status begin() override { return exec("BEGIN"); }

  pg_conn* handle() { return conn_; }
  void set_changes(int64_t n) { changes_ = n; }

 private:
  explicit PostgresConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  int64_t changes_ = 0;
  std::unordered_map<std::string, std::unique_ptr<PostgresStatement>> cache_;
};

// `sql` with SQLite's `?` and `?N` parameters written as PostgreSQL's `$N` (outside quotes), and
// how many parameters it takes.
std::string postgres_parameters(const std::string& sql, int& count);

}  // namespace millrace::store
