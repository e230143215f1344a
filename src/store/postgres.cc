#include "store/postgres.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <string_view>
#include <unordered_set>

#include "common/log.h"

namespace millrace::store {
namespace {

std::string error_text(PGconn* conn) {
  std::string msg = PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

// A failed command as the store reports it: a constraint violation (SQLSTATE class 23) is the
// caller's doing, anything else the database's.
Error result_error(PGresult* r, PGconn* conn) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = r ? PQresultErrorMessage(r) : error_text(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (msg.empty()) msg = error_text(conn);  // a lost connection says so on the connection
  if (msg.empty() && r) msg = PQresStatus(PQresultStatus(r));
  if (state && std::string_view(state).starts_with("23")) return conflict_error(msg);
  return Error::internal("database: " + msg);
}

}  // namespace

std::string postgres_parameters(const std::string& sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int highest = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    int n = 0;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = highest + 1;  // a bare `?` is the next one, as in SQLite
    highest = std::max(highest, n);
    out += '$' + std::to_string(n);
    i = j - 1;
  }
  count = highest;
  return out;
}

Result<std::unique_ptr<Connection>> PostgresConnection::open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = error_text(conn);
    PQfinish(conn);
    if (msg.find("too many c") != std::string::npos ||
        msg.find("remaining connection slots") != std::string::npos) {
      msg +=
          " (PostgreSQL refuses more connections: each millrace process opens up to "
          "DATABASE_MAX_CONNECTIONS; lower it, run fewer processes, or raise the database's "
          "limit)";
    }
    return Error::internal("cannot connect to PostgreSQL: " + msg);
  }
  auto c = std::unique_ptr<PostgresConnection>(new PostgresConnection(conn));
  // Every commit waits for its WAL flush: a job id is answered only once it is durable. Notices
  // (a table that already exists, …) are not errors and are not printed.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (auto s = c->exec("SET synchronous_commit = on"); !s) return s.error();
  return std::unique_ptr<Connection>(std::move(c));
}

Status PostgresConnection::send_notices(const std::string& channel) {
  if (notices_.empty()) return Status::ok();
  std::vector<std::string> unique;
  std::unordered_set<std::string_view> seen;
  for (const auto& n : notices_) {
    if (seen.insert(n).second) unique.push_back(n);
  }
  // One round trip for all of them: the notices travel as one text, a line each.
  std::string lines;
  for (const auto& n : unique) lines += (lines.empty() ? "" : "\n") + n;
  notices_.clear();
  auto s = prepare("SELECT count(pg_notify(?1, n)) FROM unnest(string_to_array(?2, chr(10))) n");
  s.bind(1, channel).bind(2, lines);
  return s.run();
}

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

bool PostgresConnection::idle() const {
  // A session already known to be gone reports no transaction state: the last one seen holds.
  if (PQstatus(conn_) == CONNECTION_OK) last_idle_ = PQtransactionStatus(conn_) == PQTRANS_IDLE;
  return last_idle_;
}

bool PostgresConnection::reconnect_after_failure(bool was_idle) {
  if (PQstatus(conn_) != CONNECTION_BAD) return false;
  log::warn("the PostgreSQL connection was lost: connecting again");
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  ++generation_;
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  PQclear(PQexec(conn_, "SET synchronous_commit = on"));
  for (const auto& sql : session_setup_) PQclear(PQexec(conn_, sql.c_str()));
  lost_transaction_ = !was_idle;
  return was_idle;
}

Status PostgresConnection::exec(const std::string& sql) {
  if (pipelined_) {
    // One command, no parameters (PQexec is not allowed in a pipeline).
    auto r = call_in_pipeline([&] {
      return PQsendQueryParams(conn_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
    });
    if (!r) return r.error();
    PQclear(*r);
    return Status::ok();
  }
  if (lost_transaction_) {
    std::string_view command(sql);
    if (command.starts_with("ROLLBACK")) {
      lost_transaction_ = false;
      return Status::ok();  // it is gone already
    }
    if (!command.starts_with("BEGIN")) {
      lost_transaction_ = !command.starts_with("COMMIT");
      return Error::internal("database: the connection was lost in the middle of a transaction");
    }
    lost_transaction_ = false;
  }
  bool was_idle = idle();
  PGresult* r = PQexec(conn_, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && reconnect_after_failure(was_idle)) {
    PQclear(r);
    r = PQexec(conn_, sql.c_str());
    st = PQresultStatus(r);
  }
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Error e = result_error(r, conn_);
    PQclear(r);
    return e;
  }
  PQclear(r);
  return Status::ok();
}

namespace {

// What libpq says of the session (a write that could not be sent, an answer that never came).
Error session_error(PGconn* conn) {
  return Error::internal("database: " + std::string(PQerrorMessage(conn)));
}

// Rows a command's answer says it changed (0 for a query).
int64_t changed_rows(PGresult* r) {
  const char* changed = PQcmdTuples(r);
  return changed && *changed ? std::atoll(changed) : 0;
}

// A command's failed answer in a pipeline: its own error, or the abort that an earlier one's
// caused.
Error pipeline_answer_error(PGresult* r, PGconn* conn) {
  return PQresultStatus(r) == PGRES_PIPELINE_ABORTED
             ? Error::internal("database: the pipeline was aborted")
             : result_error(r, conn);
}

}  // namespace

int64_t PostgresConnection::changes() const {
  // The count of the last statement: in a pipeline, once every answer is in.
  if (pending_ > 0) (void)const_cast<PostgresConnection*>(this)->drain();
  return changes_;
}

void PostgresConnection::begin_pipeline() {
  if (pipelined_ || PQenterPipelineMode(conn_) != 1) return;  // not possible: run one by one
  pipelined_ = true;
  pending_ = 0;
  pipeline_error_.reset();
}

Status PostgresConnection::drain() {
  if (pending_ > 0) {
    if (PQsendFlushRequest(conn_) != 1 || PQflush(conn_) != 0)
      pipeline_error_ = session_error(conn_);
  }
  while (pending_ > 0) {
    PGresult* r = PQgetResult(conn_);
    if (!r) {  // the session is gone: no answer will come
      if (!pipeline_error_) pipeline_error_ = session_error(conn_);
      pending_ = 0;
      break;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      changes_ = changed_rows(r);
    } else if (!pipeline_error_) {
      pipeline_error_ = pipeline_answer_error(r, conn_);
    }
    PQclear(r);
    // Each command's answers end with a null.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    --pending_;
  }
  if (pipeline_error_) return *pipeline_error_;
  return Status::ok();
}

Result<pg_result*> PostgresConnection::call_in_pipeline(const std::function<int()>& send) {
  if (auto s = drain(); !s) return s.error();
  PGresult* r = nullptr;
  if (send() == 1 && PQsendFlushRequest(conn_) == 1 && PQflush(conn_) == 0) {
    r = PQgetResult(conn_);
  }
  if (!r) {
    pipeline_error_ = session_error(conn_);
    return *pipeline_error_;
  }
  while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    pipeline_error_ = pipeline_answer_error(r, conn_);
    PQclear(r);
    return *pipeline_error_;
  }
  return r;
}

Status PostgresConnection::end_pipeline() {
  if (!pipelined_) return Status::ok();
  Status outcome = drain();
  if (PQpipelineSync(conn_) == 1) {
    // Up to the sync's own answer (a session that is gone answers nothing more).
    while (PGresult* r = PQgetResult(conn_)) {
      ExecStatusType st = PQresultStatus(r);
      PQclear(r);
      if (st == PGRES_PIPELINE_SYNC) break;
    }
  }
  if (PQexitPipelineMode(conn_) != 1) {
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    PQexitPipelineMode(conn_);
  }
  pipelined_ = false;
  pending_ = 0;
  pipeline_error_.reset();
  return outcome;
}

Statement PostgresConnection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(it->second.get());
  int params = 0;
  std::string text = postgres_parameters(sql, params);
  std::string name = "s" + std::to_string(cache_.size() + 1);
  if (pipelined_) {
    // Prepared in the pipeline; a failure there is the pipeline's (the batch runs again
    // without it, and prepares it then).
    auto r = call_in_pipeline(
        [&] { return PQsendPrepare(conn_, name.c_str(), text.c_str(), params, nullptr); });
    if (r) PQclear(*r);
    auto& kept = cache_[sql] = std::make_unique<PostgresStatement>(*this, name, text, params,
                                                                   r ? generation_ : ~uint64_t{0});
    return Statement(kept.get());
  }
  bool was_idle = idle();
  PGresult* r = PQprepare(conn_, name.c_str(), text.c_str(), params, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK && reconnect_after_failure(was_idle)) {
    PQclear(r);
    r = PQprepare(conn_, name.c_str(), text.c_str(), params, nullptr);
  }
  uint64_t prepared_in = generation_;
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    if (PQstatus(conn_) == CONNECTION_BAD) {
      // Not prepared: the session is gone. Its first run prepares it (and reports the failure).
      prepared_in = ~uint64_t{0};
    } else {
      // Statements are compiled-in constants: a failure here is a programming error.
      log::error("cannot prepare SQL: " + result_error(r, conn_).message + " in: " + text);
      abort();
    }
  }
  PQclear(r);
  auto& kept = cache_[sql] =
      std::make_unique<PostgresStatement>(*this, name, text, params, prepared_in);
  return Statement(kept.get());
}

PostgresStatement::~PostgresStatement() {
  if (result_) PQclear(result_);
}

void PostgresStatement::bind_text(int i, std::string_view v) {
  params_.at(static_cast<size_t>(i - 1)) = std::string(v);
}
void PostgresStatement::bind_int64(int i, int64_t v) {
  params_.at(static_cast<size_t>(i - 1)) = std::to_string(v);
}
void PostgresStatement::bind_null(int i) {
  params_.at(static_cast<size_t>(i - 1)).reset();
}

std::vector<const char*> PostgresStatement::param_values() const {
  std::vector<const char*> values;
  values.reserve(params_.size());
  for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

void PostgresStatement::take_result(pg_result* r) {
  result_ = r;
  rows_ = PQntuples(r);
  conn_.set_changes(changed_rows(r));
  row_ = -1;
}

pg_result* PostgresStatement::execute() {
  PGconn* conn = conn_.handle();
  if (generation_ != conn_.generation()) {
    // A new session since this was prepared: prepare it again there.
    PQclear(
        PQprepare(conn, name_.c_str(), sql_.c_str(), static_cast<int>(params_.size()), nullptr));
    generation_ = conn_.generation();
  }
  auto values = param_values();
  return PQexecPrepared(conn, name_.c_str(), static_cast<int>(values.size()), values.data(),
                        nullptr, nullptr, 0);
}

int PostgresStatement::send() {
  auto values = param_values();
  return PQsendQueryPrepared(conn_.handle(), name_.c_str(), static_cast<int>(values.size()),
                             values.data(), nullptr, nullptr, 0);
}

Status PostgresStatement::run() {
  // Run already (its rows being read), or not pipelined: step to the end as usual.
  if (!conn_.pipelined() || result_ || generation_ != conn_.generation()) {
    return PreparedStatement::run();
  }
  // Sent and not waited for: end_pipeline() reports any error it meets.
  if (send() != 1) return session_error(conn_.handle());
  conn_.sent_one();
  return Status::ok();
}

Result<bool> PostgresStatement::step() {
  if (!result_ && conn_.pipelined()) {
    if (generation_ != conn_.generation()) {
      return Error::internal("database: a statement prepared in another session");
    }
    auto r = conn_.call_in_pipeline([this] { return send(); });
    if (!r) return r.error();
    take_result(*r);
  }
  if (!result_) {
    if (conn_.lost_transaction()) {
      return Error::internal("database: the connection was lost in the middle of a transaction");
    }
    PGconn* conn = conn_.handle();
    bool was_idle = conn_.idle();
    result_ = execute();
    ExecStatusType st = PQresultStatus(result_);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
        conn_.reconnect_after_failure(was_idle)) {
      PQclear(result_);
      result_ = execute();
      st = PQresultStatus(result_);
    }
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      Error e = result_error(result_, conn);
      PQclear(result_);
      result_ = nullptr;
      return e;
    }
    take_result(result_);
  }
  return ++row_ < rows_;
}

bool PostgresStatement::is_null(int col) const {
  return PQgetisnull(result_, row_, col) != 0;
}

std::string PostgresStatement::text(int col) const {
  return std::string(PQgetvalue(result_, row_, col),
                     static_cast<size_t>(PQgetlength(result_, row_, col)));
}

int64_t PostgresStatement::int64(int col) const {
  return std::atoll(PQgetvalue(result_, row_, col));
}

void PostgresStatement::reset() {
  if (result_) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  rows_ = 0;
  for (auto& p : params_) p.reset();
}

}  // namespace millrace::store
