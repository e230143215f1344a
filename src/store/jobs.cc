#include "store/jobs.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

// One SELECT shape for every read: the job joined with its queue row or its completed row.
constexpr const char* kSelect =
    "SELECT j.id, j.workspace_id, j.created_at, j.created_by, j.permissioned_as, j.email, j.kind, "
    "j.script_hash, j.script_path, j.language, j.args, j.parent_job, j.root_job, j.trigger_kind, "
    "j.token_prefix, j.timeout_s, j.priority, j.tag, "
    "q.id, q.scheduled_for, q.running, q.started_at, q.worker, q.ping, q.canceled_by, "
    "q.canceled_reason, q.crash_restarts, "
    "c.id, c.status, c.result, c.started_at, c.completed_at, c.duration_ms, c.canceled_by, "
    "c.canceled_reason, c.worker, j.raw_flow, j.flow_status, j.flow_step_id, j.raw_code, "
    "j.same_worker, j.preprocess FROM job j LEFT JOIN job_queue q ON q.id = j.id LEFT JOIN "
    "job_completed c ON "
    "c.id = j.id ";

// Only this server writes a job's kind and outcome: an outcome it does not know reads as a
// failure; a kind it does not know (a newer version's) is an error, never guessed.
JobStatus read_status(const std::string& text) {
  return parse_job_status(text).value_or(JobStatus::Failure);
}

Result<JobView> read_view(Statement& s) {
  JobView v;
  auto& j = v.job;
  j.id = s.text(0);
  j.workspace_id = s.text(1);
  j.created_at = s.int64(2);
  j.created_by = s.text(3);
  j.permissioned_as = s.text(4);
  j.email = s.text(5);
  auto kind = parse_job_kind(s.text(6));
  if (!kind) return Error::internal("job " + j.id + " is of an unknown kind: " + s.text(6));
  j.kind = *kind;
  j.script_hash = s.optional_text(7);
  j.script_path = s.optional_text(8);
  j.language = s.optional_text(9);
  j.args_json = s.text(10);
  j.parent_job = s.optional_text(11);
  j.root_job = s.optional_text(12);
  if (auto trigger = s.optional_text(13)) j.trigger_kind = parse_trigger_kind(*trigger);
  j.token_prefix = s.optional_text(14);
  j.timeout_s = s.optional_int64(15);
  j.priority = s.int64(16);
  j.tag = s.text(17);
  if (!s.is_null(18)) {
    QueueState q;
    q.scheduled_for = s.int64(19);
    q.running = s.int64(20) != 0;
    q.started_at = s.optional_int64(21);
    q.worker = s.optional_text(22);
    q.ping = s.optional_int64(23);
    q.canceled_by = s.optional_text(24);
    q.canceled_reason = s.optional_text(25);
    q.crash_restarts = s.int64(26);
    v.queued = q;
  }
  if (!s.is_null(27)) {
    CompletedState c;
    c.status = read_status(s.text(28));
    c.result_json = s.optional_text(29);
    c.started_at = s.optional_int64(30);
    c.completed_at = s.int64(31);
    c.duration_ms = s.int64(32);
    c.canceled_by = s.optional_text(33);
    c.canceled_reason = s.optional_text(34);
    c.worker = s.optional_text(35);
    v.completed = c;
  }
  j.raw_flow = s.optional_text(36);
  j.flow_status = s.optional_text(37);
  j.flow_step_id = s.optional_text(38);
  j.raw_code = s.optional_text(39);
  j.same_worker = s.int64(40) != 0;
  j.preprocess = s.int64(41) != 0;
  return v;
}

// Hands each row's view to `put`; a row that cannot be read is the error.
template <typename Put>
Status read_views(Statement& s, Put put) {
  Status bad;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    auto v = read_view(r);
    if (v)
      put(std::move(*v));
    else
      bad = v.error();
  }));
  return bad;
}

}  // namespace

Status insert_job(Connection& c, const JobRecord& j, EpochMs scheduled_for) {
  auto s = c.prepare(
      "INSERT INTO job (id, workspace_id, created_at, created_by, permissioned_as, email, kind, "
      "script_hash, script_path, language, args, parent_job, root_job, trigger_kind, "
      "token_prefix, timeout_s, priority, tag, raw_flow, flow_status, flow_step_id, raw_code, "
      "same_worker, preprocess) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, "
      "?, ?, ?, ?)");
  std::optional<std::string> trigger;
  if (j.trigger_kind) trigger = to_string(*j.trigger_kind);
  s.bind(1, j.id).bind(2, j.workspace_id).bind(3, j.created_at).bind(4, j.created_by);
  s.bind(5, j.permissioned_as).bind(6, j.email).bind(7, to_string(j.kind)).bind(8, j.script_hash);
  s.bind(9, j.script_path).bind(10, j.language).bind(11, j.args_json).bind(12, j.parent_job);
  s.bind(13, j.root_job).bind(14, trigger).bind(15, j.token_prefix);
  s.bind(16, j.timeout_s).bind(17, j.priority).bind(18, j.tag).bind(19, j.raw_flow);
  s.bind(20, j.flow_status).bind(21, j.flow_step_id).bind(22, j.raw_code).bind(23, j.same_worker);
  s.bind(24, j.preprocess);
  MR_TRY(s.run());
  auto q = c.prepare(
      "INSERT INTO job_queue (id, workspace_id, scheduled_for, priority) VALUES (?, ?, ?, ?)");
  q.bind(1, j.id).bind(2, j.workspace_id).bind(3, scheduled_for).bind(4, j.priority);
  return q.run();
}

Result<bool> job_exists(Connection& c, const std::string& id) {
  auto s = c.prepare("SELECT 1 FROM job WHERE id = ?");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Result<bool> job_in_queue(Connection& c, const std::string& id) {
  auto s = c.prepare("SELECT 1 FROM job_queue WHERE id = ?");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Status mark_job_running(Connection& c, const std::string& id, const std::string& worker,
                        EpochMs started_at) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 1, started_at = coalesce(started_at, ?), worker = ?, "
      "ping = ? WHERE id = ?");
  s.bind(1, started_at).bind(2, worker).bind(3, started_at).bind(4, id);
  return s.run();
}

Status complete_job(Connection& c, const std::string& id, const std::string& workspace_id,
                    const CompletedState& d) {
  auto s = c.prepare(
      "INSERT INTO job_completed (id, workspace_id, status, result, started_at, "
      "completed_at, duration_ms, canceled_by, canceled_reason, worker) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
      "status = excluded.status, result = excluded.result, started_at = excluded.started_at, "
      "completed_at = excluded.completed_at, duration_ms = excluded.duration_ms, "
      "canceled_by = excluded.canceled_by, canceled_reason = excluded.canceled_reason, "
      "worker = excluded.worker");
  s.bind(1, id).bind(2, workspace_id).bind(3, to_string(d.status)).bind(4, d.result_json);
  s.bind(5, d.started_at).bind(6, d.completed_at).bind(7, d.duration_ms);
  s.bind(8, d.canceled_by).bind(9, d.canceled_reason).bind(10, d.worker);
  MR_TRY(s.run());
  auto del = c.prepare("DELETE FROM job_queue WHERE id = ?");
  del.bind(1, id);
  return del.run();
}

Status append_job_logs(Connection& c, const std::string& id, const std::string& text) {
  auto s = c.prepare(
      "INSERT INTO job_logs (job_id, logs) VALUES (?1, ?2) "
      "ON CONFLICT (job_id) DO UPDATE SET logs = job_logs.logs || excluded.logs");
  s.bind(1, id).bind(2, text);
  return s.run();
}

Status set_job_cancel(Connection& c, const std::string& id, const std::string& by,
                      const std::string& reason) {
  auto s = c.prepare("UPDATE job_queue SET canceled_by = ?, canceled_reason = ? WHERE id = ?");
  s.bind(1, by).bind(2, reason).bind(3, id);
  return s.run();
}

Result<std::optional<JobView>> get_job(Connection& c, const std::string& workspace_id,
                                       const std::string& id) {
  auto s = c.prepare(std::string(kSelect) + "WHERE j.id = ? AND j.workspace_id = ?");
  s.bind(1, id).bind(2, workspace_id);
  std::optional<JobView> out;
  MR_TRY(read_views(s, [&](JobView v) { out = std::move(v); }));
  return out;
}

Result<std::optional<JobView>> get_job_by_id(Connection& c, const std::string& id) {
  auto s = c.prepare(std::string(kSelect) + "WHERE j.id = ?");
  s.bind(1, id);
  std::optional<JobView> out;
  MR_TRY(read_views(s, [&](JobView v) { out = std::move(v); }));
  return out;
}

Result<std::optional<std::string>> get_job_logs(Connection& c, const std::string& id) {
  auto s = c.prepare("SELECT logs FROM job_logs WHERE job_id = ?");
  s.bind(1, id);
  std::optional<std::string> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = r.text(0); }));
  return out;
}

Result<std::string> get_job_logs_from(Connection& c, const std::string& id, int64_t offset) {
  // substr on TEXT counts characters, which is what Windmill's log offsets are.
  auto s = c.prepare("SELECT substr(logs, ? + 1) FROM job_logs WHERE job_id = ?");
  s.bind(1, offset).bind(2, id);
  std::string out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = r.text(0); }));
  return out;
}

Status append_result_stream(Connection& c, const std::string& id, int64_t idx,
                            const std::string& text) {
  auto s = c.prepare(
      "INSERT INTO job_result_stream (job_id, idx, stream) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (job_id, idx) DO UPDATE SET stream = job_result_stream.stream || "
      "excluded.stream");
  s.bind(1, id).bind(2, idx).bind(3, text);
  return s.run();
}

Result<ResultStreamPart> get_result_stream_from(Connection& c, const std::string& id, int64_t idx) {
  auto s = c.prepare(
      "SELECT idx, stream FROM job_result_stream WHERE job_id = ? AND idx >= ? ORDER BY idx");
  s.bind(1, id).bind(2, idx);
  ResultStreamPart part;
  part.next_idx = idx;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    part.next_idx = r.int64(0) + 1;
    part.text += r.text(1);
  }));
  return part;
}

Result<std::vector<JobView>> list_jobs(Connection& c, const std::string& workspace_id,
                                       const JobListFilter& f) {
  std::string kinds;
  for (const auto& k : f.kinds) kinds += (kinds.empty() ? "" : ",") + k;
  const std::string visible =
      f.visible_email ? "AND (j.email = ?16 OR " +
                            any_prefix_sql("j.script_path", 17, f.visible_prefixes.size()) + ") "
                      : "";
  auto s = c.prepare(
      std::string(kSelect) +
      "WHERE j.workspace_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR j.created_by = ?2) "
      "AND (CAST(?3 AS TEXT) IS NULL OR j.script_path = ?3) "
      "AND (CAST(?4 AS TEXT) IS NULL OR substr(j.script_path, 1, length(CAST(?4 AS TEXT))) = ?4) "
      "AND (CAST(?5 AS TEXT) IS NULL OR j.script_hash = ?5) AND (CAST(?6 AS TEXT) IS NULL OR "
      "j.parent_job = ?6) "
      "AND (CAST(?7 AS BIGINT) IS NULL OR j.created_at < ?7) AND (CAST(?8 AS BIGINT) IS NULL OR "
      "j.created_at > ?8) "
      "AND (CAST(?9 AS BIGINT) IS NULL OR (q.id IS NOT NULL AND q.running = ?9)) "
      "AND (CAST(?10 AS BIGINT) IS NULL OR (c.id IS NOT NULL AND (CASE WHEN c.status = 'success' "
      "THEN 1 ELSE 0 END) = ?10)) "
      "AND (CAST(?11 AS BIGINT) IS NULL OR (?11 = 1 AND c.id IS NOT NULL) OR (?11 = 0 AND q.id IS "
      "NOT NULL)) "
      "AND (?12 = '' OR instr(',' || CAST(?12 AS TEXT) || ',', ',' || j.kind || ',') > 0) "
      "AND (?13 = 0 OR j.parent_job IS NULL) " +
      visible + "ORDER BY j.created_at DESC, j.id DESC LIMIT ?14 OFFSET ?15");
  s.bind(1, workspace_id).bind(2, f.created_by).bind(3, f.script_path_exact);
  s.bind(4, f.script_path_start).bind(5, f.script_hash).bind(6, f.parent_job);
  s.bind(7, f.created_before).bind(8, f.created_after);
  if (f.running)
    s.bind(9, *f.running);
  else
    s.bind_null(9);
  if (f.success)
    s.bind(10, *f.success);
  else
    s.bind_null(10);
  if (f.completed)
    s.bind(11, *f.completed);
  else
    s.bind_null(11);
  s.bind(12, kinds).bind(13, f.has_null_parent).bind(14, f.limit).bind(15, f.offset);
  if (f.visible_email) {
    s.bind(16, *f.visible_email);
    for (size_t i = 0; i < f.visible_prefixes.size(); ++i) {
      s.bind(static_cast<int>(17 + i), f.visible_prefixes[i]);
    }
  }
  std::vector<JobView> out;
  MR_TRY(read_views(s, [&](JobView v) { out.push_back(std::move(v)); }));
  return out;
}

Status set_flow_status(Connection& c, const std::string& id, const std::string& flow_status) {
  auto s = c.prepare("UPDATE job SET flow_status = ? WHERE id = ?");
  s.bind(1, flow_status).bind(2, id);
  return s.run();
}

Status park_flow_job(Connection& c, const std::string& id, EpochMs due) {
  auto s = c.prepare("UPDATE job_queue SET scheduled_for = ? WHERE id = ?");
  s.bind(1, due).bind(2, id);
  return s.run();
}

Result<int64_t> count_waiting_jobs(Connection& c, const std::string& ws,
                                   const std::string& script_path, EpochMs now) {
  // From the queue (small) to the jobs, never from a path's whole history: SQLite keeps the
  // order of a CROSS JOIN.
  auto s = c.prepare(
      "SELECT count(*) FROM job_queue q CROSS JOIN job j WHERE j.id = q.id AND "
      "q.workspace_id = ? AND q.running = 0 AND q.flow_wait = 0 AND q.canceled_by IS NULL AND "
      "q.scheduled_for <= ? AND j.script_path = ?");
  s.bind(1, ws).bind(2, now).bind(3, script_path);
  auto row = s.step();
  if (!row) return row.error();
  return *row ? s.int64(0) : 0;
}

Result<int64_t> count_concurrent_jobs(Connection& c, const std::string& ws,
                                      const std::string& script_path, const std::string& id,
                                      EpochMs started_at, EpochMs window_from) {
  auto s = c.prepare(
      "SELECT (SELECT count(*) FROM job_queue q CROSS JOIN job j WHERE j.id = q.id AND "
      "q.workspace_id = ?1 AND q.running = 1 AND q.id <> ?3 AND j.script_path = ?2 AND "
      "(q.started_at < ?4 OR (q.started_at = ?4 AND q.id < ?3))) + (SELECT count(*) FROM "
      "job_completed d CROSS JOIN job j WHERE j.id = d.id AND d.workspace_id = ?1 AND "
      "d.completed_at >= ?5 AND d.started_at >= ?5 AND j.script_path = ?2)");
  s.bind(1, ws).bind(2, script_path).bind(3, id).bind(4, started_at).bind(5, window_from);
  auto row = s.step();
  if (!row) return row.error();
  return *row ? s.int64(0) : 0;
}

Status postpone_job(Connection& c, const std::string& id, EpochMs until) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 0, started_at = NULL, worker = NULL, ping = NULL, "
      "node = NULL, scheduled_for = ? WHERE id = ?");
  s.bind(1, until).bind(2, id);
  return s.run();
}

Result<int64_t> count_unstarted_jobs(Connection& c) {
  auto s = c.prepare("SELECT count(*) FROM job_queue WHERE running = 0 AND flow_wait = 0");
  auto row = s.step();
  if (!row) return row.error();
  return *row ? s.int64(0) : 0;
}

Result<QueueDepth> queue_depth(Connection& c, EpochMs now) {
  auto s = c.prepare(
      "SELECT CASE WHEN q.running = 1 OR q.flow_wait <> 0 THEN 1 ELSE 0 END, "
      "CASE WHEN q.scheduled_for > ? THEN 1 ELSE 0 END, j.kind, count(*) "
      "FROM job_queue q JOIN job j ON j.id = q.id GROUP BY 1, 2, 3");
  s.bind(1, now);
  QueueDepth depth;
  while (true) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    auto kind = parse_job_kind(s.text(2));
    int64_t n = s.int64(3);
    if (kind && is_flow_kind(*kind) && s.int64(0) != 0) {
      depth.flows += n;
    } else if (s.int64(0) != 0) {
      depth.running += n;
    } else if (s.int64(1) != 0) {
      depth.scheduled += n;
    } else {
      depth.ready += n;
    }
  }
  return depth;
}

Result<std::vector<std::pair<std::string, StepOutcome>>> completed_outcomes(
    Connection& c, const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, StepOutcome>> out;
  for (const auto& id : ids) {
    auto s = c.prepare("SELECT status, result FROM job_completed WHERE id = ?");
    s.bind(1, id);
    MR_TRY(for_each_row(s, [&](Statement& r) {
      out.emplace_back(id, StepOutcome{read_status(r.text(0)), r.is_null(1) ? "null" : r.text(1)});
    }));
  }
  return out;
}

Result<bool> insert_resume(Connection& c, const ResumeRecord& r) {
  auto s = c.prepare(
      "INSERT INTO resume_job (job, resume_id, flow, value, approver, approved, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  s.bind(1, r.job).bind(2, r.resume_id).bind(3, r.flow).bind(4, r.value_json);
  s.bind(5, r.approver).bind(6, r.approved).bind(7, r.created_at);
  MR_TRY(s.run());
  return c.changes() > 0;
}

Result<std::vector<ResumeRecord>> list_resumes(Connection& c, const std::string& job) {
  auto s = c.prepare(
      "SELECT job, resume_id, flow, value, approver, approved, created_at FROM resume_job "
      "WHERE job = ? ORDER BY created_at, resume_id");
  s.bind(1, job);
  std::vector<ResumeRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    out.push_back({r.text(0), r.int64(1), r.text(2), r.text(3), r.optional_text(4), r.int64(5) != 0,
                   r.int64(6)});
  }));
  return out;
}

Result<std::vector<JobView>> load_queue(Connection& c) {
  auto s = c.prepare(std::string(kSelect) + "WHERE q.id IS NOT NULL ORDER BY q.scheduled_for");
  std::vector<JobView> out;
  MR_TRY(read_views(s, [&](JobView v) { out.push_back(std::move(v)); }));
  return out;
}

namespace {
Status clear_result_stream(Connection& c, const std::string& id) {
  auto s = c.prepare("DELETE FROM job_result_stream WHERE job_id = ?");
  s.bind(1, id);
  return s.run();
}
}  // namespace

Status release_job(Connection& c, const std::string& id, const std::string& note) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 0, worker = NULL, ping = NULL, node = NULL WHERE id = ?");
  s.bind(1, id);
  MR_TRY(s.run());
  MR_TRY(clear_result_stream(c, id));  // the next run streams from the start
  return append_job_logs(c, id, note);
}

Status requeue_interrupted_job(Connection& c, const std::string& id, const std::string& note) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 0, worker = NULL, ping = NULL, node = NULL, "
      "crash_restarts = crash_restarts + 1 WHERE id = ?");
  s.bind(1, id);
  MR_TRY(s.run());
  MR_TRY(clear_result_stream(c, id));  // the next run streams from the start
  return append_job_logs(c, id, note);
}

}  // namespace millrace::store
