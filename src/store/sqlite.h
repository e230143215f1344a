// Thin RAII wrappers over sqlite3 handles. Only store/ includes this header; nothing above the
// store sees a statement or a column index.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace millrace::store {

// A prepared statement borrowed from its connection's cache; reset when the borrow ends.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }

  // Bind by 1-based index. An empty optional binds NULL.
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, bool v) { return bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  Statement& bind(int i, const std::optional<std::string>& v);
  Statement& bind(int i, const std::optional<int64_t>& v);
  Statement& bind_null(int i);

  // Steps once: true when a row is available, false when done. Errors become Status.
  Result<bool> step();
  // Runs to completion, ignoring rows.
  Status run();

  bool is_null(int col) const;
  std::string text(int col) const;
  std::optional<std::string> optional_text(int col) const;
  int64_t int64(int col) const;
  std::optional<int64_t> optional_int64(int col) const;

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status exec(const std::string& sql);
  // Prepared once per connection and cached by its text.
  Statement prepare(const std::string& sql);
  int64_t changes() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace millrace::store
