// The PostgreSQL backend of store/connection.h, through libpq. Statements are prepared on the
// server once per connection (`?`/`?N` become `$N`); every value travels as text and takes the
// type PostgreSQL infers for it, so store/ code binds and reads exactly as with SQLite. A
// connection that is cut (the database restarted) is opened again at its next use; a command
// outside a transaction is then run again, one inside fails (its transaction is gone).
#pragma once

#include <algorithm>
#include <functional>
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
  PostgresStatement(PostgresConnection& conn, std::string name, std::string sql, int params,
                    uint64_t generation)
      : conn_(conn),
        name_(std::move(name)),
        sql_(std::move(sql)),
        params_(static_cast<size_t>(params)),
        generation_(generation) {}
  ~PostgresStatement() override;
  void bind_text(int i, std::string_view v) override;
  void bind_int64(int i, int64_t v) override;
  void bind_null(int i) override;
  Result<bool> step() override;
  Status run() override;
  bool is_null(int col) const override;
  std::string text(int col) const override;
  int64_t int64(int col) const override;
  void reset() override;

 private:
  pg_result* execute();
  std::vector<const char*> param_values() const;  // as libpq takes them (null for NULL)
  void take_result(pg_result* r);                 // its rows are read from here on
  // Sends the statement with its parameters, without waiting (pipeline mode). 0 on failure.
  int send();

  PostgresConnection& conn_;
  std::string name_;
  std::string sql_;  // as sent to PostgreSQL ($N parameters)
  std::vector<std::optional<std::string>> params_;
  uint64_t generation_;          // the connection's, when this was prepared on it
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
  int64_t changes() const override;
  Status begin() override { return exec("BEGIN"); }
  void begin_pipeline() override;
  Status end_pipeline() override;
  void add_session_setup(std::string sql) override { session_setup_.push_back(std::move(sql)); }
  void add_notice(const std::string& notice) override { notices_.push_back(notice); }
  size_t notices_mark() const override { return notices_.size(); }
  void forget_notices_since(size_t mark) override {
    notices_.resize(std::min(mark, notices_.size()));
  }
  Status send_notices(const std::string& channel) override;

  pg_conn* handle() { return conn_; }
  void set_changes(int64_t n) { changes_ = n; }
  // Whether the session is outside any transaction (a command there may be run again).
  bool idle() const;
  // After a command failed: when the session is gone (the server restarted, the connection was
  // cut) and it was `was_idle`, connects again and answers true (run the command again).
  bool reconnect_after_failure(bool was_idle);
  // Bumped at each reconnection: statements prepared before it are prepared again.
  uint64_t generation() const { return generation_; }
  // The session was lost inside a transaction: every statement fails until the transaction is
  // ended (ROLLBACK, or a COMMIT that fails), so no part of it runs outside it in the new one.
  bool lost_transaction() const { return lost_transaction_; }

  // Pipeline mode (begin_pipeline): statements sent and not yet answered.
  bool pipelined() const { return pipelined_; }
  // Counts a statement sent. Answers are read every so often: a blocking client that only
  // writes while the server's answers pile up would deadlock with it.
  void sent_one() {
    if (++pending_ >= kMaxUnread) (void)drain();
  }
  static constexpr int kMaxUnread = 256;
  // Reads the answers of every statement sent; the first error of the pipeline, if any.
  Status drain();
  // In pipeline mode: every earlier answer read, then `send` (which queues one command) and
  // its answer read. Null with the error when the pipeline or the command failed.
  Result<pg_result*> call_in_pipeline(const std::function<int()>& send);

 private:
  explicit PostgresConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  int64_t changes_ = 0;
  uint64_t generation_ = 0;
  mutable bool last_idle_ = true;
  bool lost_transaction_ = false;
  std::vector<std::string> session_setup_;
  std::vector<std::string> notices_;  // of the open transaction, in order, repeats included
  bool pipelined_ = false;
  int pending_ = 0;                      // sent, answers not read
  std::optional<Error> pipeline_error_;  // the first error of the pipeline
  std::unordered_map<std::string, std::unique_ptr<PostgresStatement>> cache_;
};

// `sql` with SQLite's `?` and `?N` parameters written as PostgreSQL's `$N` (outside quotes), and
// how many parameters it takes.
std::string postgres_parameters(const std::string& sql, int& count);

}  // namespace millrace::store
