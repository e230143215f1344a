// Versioned schema. Each entry is applied once, in order, and recorded (SQLite's user_version,
// PostgreSQL's schema_version table); never edit a released entry, append a new one. Entries
// are written for SQLite; for_postgres() adapts them. Timestamps are integer milliseconds (UTC).
#include <string>
#include <vector>

#include "store/database.h"
#include "store/rows.h"

namespace millrace::store {
namespace {

const std::vector<std::string>& migrations() {
  static const std::vector<std::string> list = {
      // 1: identities, scripts, jobs, audit.
      R"sql(
CREATE TABLE workspace (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE user (
  email TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT,
  super_admin INTEGER NOT NULL DEFAULT 0, name TEXT, company TEXT, created_at INTEGER NOT NULL);
CREATE TABLE member (
  workspace_id TEXT NOT NULL REFERENCES workspace(id), email TEXT NOT NULL REFERENCES user(email),
  username TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0, operator INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, PRIMARY KEY (workspace_id, email), UNIQUE (workspace_id, username));
CREATE TABLE token (
  hash TEXT PRIMARY KEY, prefix TEXT NOT NULL, email TEXT NOT NULL, label TEXT,
  expiration INTEGER, scopes TEXT, workspace_id TEXT, super_admin INTEGER NOT NULL DEFAULT 0,
  read_only INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL);
CREATE INDEX token_email ON token(email);
CREATE TABLE script (
  workspace_id TEXT NOT NULL, hash TEXT NOT NULL, path TEXT NOT NULL, parent_hash TEXT,
  summary TEXT NOT NULL, description TEXT NOT NULL, content TEXT NOT NULL, language TEXT NOT NULL,
  schema TEXT, kind TEXT NOT NULL, lock TEXT, timeout INTEGER, extra TEXT,
  archived INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, hash));
CREATE INDEX script_path ON script(workspace_id, path, seq);
CREATE TABLE job (
  id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL, permissioned_as TEXT NOT NULL, email TEXT NOT NULL,
  kind TEXT NOT NULL, script_hash TEXT, script_path TEXT, language TEXT, args TEXT NOT NULL,
  parent_job TEXT, root_job TEXT, trigger_kind TEXT, token_prefix TEXT,
  timeout_s INTEGER, priority INTEGER NOT NULL DEFAULT 0, tag TEXT NOT NULL);
CREATE INDEX job_ws_created ON job(workspace_id, created_at);
CREATE INDEX job_ws_path ON job(workspace_id, script_path, created_at);
CREATE TABLE job_queue (
  id TEXT PRIMARY KEY REFERENCES job(id), workspace_id TEXT NOT NULL,
  scheduled_for INTEGER NOT NULL, running INTEGER NOT NULL DEFAULT 0, started_at INTEGER,
  worker TEXT, ping INTEGER, canceled_by TEXT, canceled_reason TEXT,
  crash_restarts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE job_completed (
  id TEXT PRIMARY KEY REFERENCES job(id), workspace_id TEXT NOT NULL, status TEXT NOT NULL,
  result TEXT, started_at INTEGER, completed_at INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
  canceled_by TEXT, canceled_reason TEXT, worker TEXT);
CREATE TABLE job_logs (job_id TEXT PRIMARY KEY REFERENCES job(id), logs TEXT NOT NULL);
CREATE TABLE audit (
  id INTEGER PRIMARY KEY, workspace_id TEXT NOT NULL, timestamp INTEGER NOT NULL,
  username TEXT NOT NULL, email TEXT, operation TEXT NOT NULL, action_kind TEXT NOT NULL,
  resource TEXT, parameters TEXT, token_prefix TEXT);
CREATE INDEX audit_ws_time ON audit(workspace_id, timestamp);
CREATE TABLE server_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
      // 2: flows and their versions.
      R"sql(
CREATE TABLE flow_version (
  id INTEGER PRIMARY KEY AUTOINCREMENT, workspace_id TEXT NOT NULL, path TEXT NOT NULL,
  summary TEXT NOT NULL, description TEXT NOT NULL, value TEXT NOT NULL, schema TEXT, extra TEXT,
  created_by TEXT NOT NULL, created_at INTEGER NOT NULL, deployment_msg TEXT);
CREATE INDEX flow_version_path ON flow_version(workspace_id, path, id);
CREATE TABLE flow (
  workspace_id TEXT NOT NULL, path TEXT NOT NULL, summary TEXT NOT NULL,
  description TEXT NOT NULL, value TEXT NOT NULL, schema TEXT, extra TEXT,
  archived INTEGER NOT NULL DEFAULT 0, edited_by TEXT NOT NULL, edited_at INTEGER NOT NULL,
  version_id INTEGER NOT NULL, PRIMARY KEY (workspace_id, path));
)sql",
      // 3: flow runs — a flow job's value and state machine, a step's module and inline code.
      R"sql(
ALTER TABLE job ADD COLUMN raw_flow TEXT;
ALTER TABLE job ADD COLUMN flow_status TEXT;
ALTER TABLE job ADD COLUMN flow_step_id TEXT;
ALTER TABLE job ADD COLUMN raw_code TEXT;
ALTER TABLE job ADD COLUMN same_worker INTEGER NOT NULL DEFAULT 0;
CREATE INDEX job_parent ON job(parent_job);
CREATE TABLE resume_job (
  job TEXT NOT NULL, resume_id INTEGER NOT NULL, flow TEXT NOT NULL, value TEXT NOT NULL,
  approver TEXT, approved INTEGER NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (job, resume_id));
)sql",
      // 4: result streams — what a job streams while it runs, one row per flush.
      R"sql(
CREATE TABLE job_result_stream (
  job_id TEXT NOT NULL REFERENCES job(id), idx INTEGER NOT NULL, stream TEXT NOT NULL,
  PRIMARY KEY (job_id, idx));
)sql",
      // 5: the queue shared by many processes (PostgreSQL): claims in priority order, flows
      // waiting for their steps, wake-ups counted, the node running a job, early answers, and
      // the node a same_worker flow's jobs stay on.
      R"sql(
ALTER TABLE job_queue ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_queue ADD COLUMN flow_wait INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_queue ADD COLUMN wakes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_queue ADD COLUMN node INTEGER;
ALTER TABLE job_queue ADD COLUMN early_result TEXT;
ALTER TABLE job_queue ADD COLUMN pinned_node INTEGER;
CREATE INDEX job_queue_claim ON job_queue(priority DESC, scheduled_for)
  WHERE running = 0 AND flow_wait <> 1;
)sql",
      // 6: folders, who owns them and who else may read or write in them (Windmill's
      // owners: ["u/alice"], extra_perms: {"u/bob": true (write), "g/all": false (read)}).
      R"sql(
CREATE TABLE folder (
  workspace_id TEXT NOT NULL, name TEXT NOT NULL, summary TEXT, owners TEXT NOT NULL,
  extra_perms TEXT NOT NULL, created_by TEXT NOT NULL, edited_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, name));
)sql",
      // 7: variables (a secret's value sealed with its workspace's data key), resources and
      // their types, and each workspace's data key, sealed with the instance's master key.
      R"sql(
CREATE TABLE variable (
  workspace_id TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL,
  is_secret INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL, account INTEGER,
  is_oauth INTEGER NOT NULL DEFAULT 0, expires_at INTEGER, created_by TEXT NOT NULL,
  edited_at INTEGER NOT NULL, PRIMARY KEY (workspace_id, path));
CREATE TABLE resource (
  workspace_id TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL, description TEXT NOT NULL,
  resource_type TEXT NOT NULL, created_by TEXT NOT NULL, edited_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, path));
CREATE INDEX resource_by_type ON resource(workspace_id, resource_type);
CREATE TABLE resource_type (
  workspace_id TEXT NOT NULL, name TEXT NOT NULL, schema TEXT, description TEXT NOT NULL,
  format_extension TEXT, created_by TEXT NOT NULL, edited_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, name));
CREATE TABLE workspace_key (
  workspace_id TEXT PRIMARY KEY, wrapped TEXT NOT NULL, created_at INTEGER NOT NULL);
)sql",
      // 8: how far a running job says it is, in percent.
      R"sql(
CREATE TABLE job_progress (job_id TEXT PRIMARY KEY, percent INTEGER NOT NULL);
)sql",
      // 9: why a script version's lock could not be resolved (its lock is then absent).
      R"sql(
ALTER TABLE script ADD COLUMN lock_error_logs TEXT;
)sql",
      // 10: HTTP routes (Windmill's http_triggers): what requests match on, and their settings.
      R"sql(
CREATE TABLE http_trigger (
  workspace_id TEXT NOT NULL, path TEXT NOT NULL, http_method TEXT NOT NULL,
  route_path TEXT NOT NULL, workspaced_route INTEGER NOT NULL, config TEXT NOT NULL,
  email TEXT NOT NULL, edited_by TEXT NOT NULL, edited_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, path));
)sql",
      // 11: a job whose runnable's preprocessor turns its arguments (a trigger's event) into
      // main's, first.
      R"sql(
ALTER TABLE job ADD COLUMN preprocess INTEGER NOT NULL DEFAULT 0;
)sql",
      // 12: the request keys (Idempotency-Key, a sender's delivery id) that made a job, while
      // a retry of that request must get that job instead of another.
      R"sql(
CREATE TABLE idempotency_key (
  workspace_id TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
  request_hash TEXT NOT NULL, job_id TEXT NOT NULL, created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, PRIMARY KEY (workspace_id, scope, key));
CREATE INDEX idempotency_key_expires ON idempotency_key(expires_at);
)sql",
      // 13: what HTTP routes were sent, as received (credentials masked), and what came of it.
      R"sql(
CREATE TABLE http_delivery (
  id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, trigger_path TEXT NOT NULL,
  received_at INTEGER NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL,
  headers TEXT NOT NULL, body TEXT NOT NULL, body_encoding TEXT NOT NULL,
  body_truncated INTEGER NOT NULL, verified INTEGER NOT NULL, status INTEGER NOT NULL,
  reason TEXT, job_id TEXT, replay_of TEXT);
CREATE INDEX http_delivery_route ON http_delivery(workspace_id, trigger_path, id);
)sql",
      // 14: the jobs that ended lately, for a script's concurrency time window.
      R"sql(
CREATE INDEX job_completed_recent ON job_completed(workspace_id, completed_at);
)sql",
  };
  return list;
}

// A migration as PostgreSQL takes it: 64-bit integers (timestamps are milliseconds), identity
// columns for SQLite's integer primary keys, `user` quoted, and the few functions of SQLite's
// that the store's statements use.
std::string for_postgres(std::string sql, size_t number) {
  auto replace_all = [&](std::string_view from, std::string_view to) {
    for (size_t at = 0; (at = sql.find(from, at)) != std::string::npos; at += to.size()) {
      sql.replace(at, from.size(), to);
    }
  };
  replace_all("INTEGER PRIMARY KEY AUTOINCREMENT",
              "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  replace_all("id INTEGER PRIMARY KEY,", "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,");
  replace_all("INTEGER", "BIGINT");
  replace_all("TABLE user (", "TABLE \"user\" (");
  replace_all("REFERENCES user(", "REFERENCES \"user\"(");
  if (number == 1) {
    sql +=
        "CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS BIGINT "
        "AS 'SELECT strpos(haystack, needle)' LANGUAGE SQL IMMUTABLE;\n";
  }
  return sql;
}

// The schema version: SQLite's user_version, or a one-row table on PostgreSQL.
Result<int64_t> schema_version(Connection& conn) {
  bool pg = conn.backend() == Backend::kPostgres;
  if (pg) MR_TRY(conn.exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"));
  auto stmt = conn.prepare(pg ? "SELECT max(version) FROM schema_version" : "PRAGMA user_version");
  auto row = stmt.step();
  if (!row) return row.error();
  return *row && !stmt.is_null(0) ? stmt.int64(0) : 0;
}

}  // namespace

Status migrate(Connection& conn) {
  auto current = schema_version(conn);
  if (!current) return current.error();
  int64_t version = *current;
  const auto& list = migrations();
  if (version > static_cast<int64_t>(list.size())) {
    return Error::internal("database schema version " + std::to_string(version) +
                           " is newer than this binary knows (" + std::to_string(list.size()) +
                           "): upgrade millrace");
  }
  bool pg = conn.backend() == Backend::kPostgres;
  for (size_t i = static_cast<size_t>(version); i < list.size(); ++i) {
    std::string next = std::to_string(i + 1);
    std::string sql = pg ? "BEGIN;\n" + for_postgres(list[i], i + 1) +
                               "\nDELETE FROM schema_version;\n" +
                               "INSERT INTO schema_version VALUES (" + next + ");\nCOMMIT;"
                         : "BEGIN;\n" + list[i] + "\nPRAGMA user_version = " + next + ";\nCOMMIT;";
    if (auto s = conn.exec(sql); !s) {
      conn.exec("ROLLBACK");
      return Error::internal("migration " + std::to_string(i + 1) + ": " + s.error().message);
    }
  }
  return Status::ok();
}

}  // namespace millrace::store
