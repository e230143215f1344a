// The SQLite backend of store/connection.h: thin RAII wrappers over sqlite3 handles.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/connection.h"

struct sqlite3;
struct sqlite3_stmt;

namespace millrace::store {

class SqliteStatement final : public PreparedStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement() override;
  void bind_text(int i, std::string_view v) override;
  void bind_int64(int i, int64_t v) override;
  void bind_null(int i) override;
  Result<bool> step() override;
  bool is_null(int col) const override;
  std::string text(int col) const override;
  int64_t int64(int col) const override;
  void reset() override;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteConnection final : public Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, bool read_only);
  ~SqliteConnection() override;

  Backend backend() const override { return Backend::kSqlite; }
  Status exec(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  int64_t changes() const override;
  Status begin() override { return exec("BEGIN IMMEDIATE"); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace millrace::store
