#include "store/postgres.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <string_view>

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
  if (state && std::string_view(state).starts_with("23"))
    return Error::bad_request("SqlErr: " + msg);
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

PostgresConnection::~PostgresConnection() {
  cache_.clear();
  PQfinish(conn_);
}

Status PostgresConnection::exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Error e = result_error(r, conn_);
    PQclear(r);
    return e;
  }
  PQclear(r);
  return Status::ok();
}

Statement PostgresConnection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(it->second.get());
  int params = 0;
  std::string text = postgres_parameters(sql, params);
  std::string name = "s" + std::to_string(cache_.size() + 1);
  PGresult* r = PQprepare(conn_, name.c_str(), text.c_str(), params, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    // Statements are compiled-in constants: a failure here is a programming error.
    log::error("cannot prepare SQL: " + result_error(r, conn_).message + " in: " + text);
    abort();
  }
  PQclear(r);
  auto& kept = cache_[sql] = std::make_unique<PostgresStatement>(*this, name, params);
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

Result<bool> PostgresStatement::step() {
  if (!result_) {
    std::vector<const char*> values;
    values.reserve(params_.size());
    for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
    PGconn* conn = conn_.handle();
    result_ = PQexecPrepared(conn, name_.c_str(), static_cast<int>(values.size()), values.data(),
                             nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(result_);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      Error e = result_error(result_, conn);
      PQclear(result_);
      result_ = nullptr;
      return e;
    }
    rows_ = PQntuples(result_);
    const char* changed = PQcmdTuples(result_);
    conn_.set_changes(changed && *changed ? std::atoll(changed) : 0);
    row_ = -1;
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
