#include "store/scripts.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kColumns =
    "workspace_id, hash, path, parent_hash, summary, description, content, language, schema, "
    "kind, lock, timeout, extra, archived, deleted, created_by, created_at, seq, lock_error_logs";

ScriptRecord read_script(Statement& s) {
  ScriptRecord r;
  r.workspace_id = s.text(0);
  r.hash = s.text(1);
  r.path = s.text(2);
  r.parent_hash = s.optional_text(3);
  r.summary = s.text(4);
  r.description = s.text(5);
  r.content = s.text(6);
  r.language = s.text(7);
  r.schema_json = s.optional_text(8);
  r.kind = s.text(9);
  r.lock = s.optional_text(10);
  r.timeout_s = s.optional_int64(11);
  r.extra_json = s.optional_text(12);
  r.archived = s.int64(13) != 0;
  r.deleted = s.int64(14) != 0;
  r.created_by = s.text(15);
  r.created_at = s.int64(16);
  r.seq = s.int64(17);
  r.lock_error_logs = s.optional_text(18);
  return r;
}

std::string select_sql(const std::string& where) {
  return std::string("SELECT ") + kColumns + " FROM script " + where;
}

}  // namespace

Result<std::optional<ScriptRecord>> find_script_by_hash(Connection& c, const std::string& ws,
                                                        const std::string& hash) {
  auto s = c.prepare(select_sql("WHERE workspace_id = ? AND hash = ?"));
  s.bind(1, ws).bind(2, hash);
  std::optional<ScriptRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_script(r); }));
  return out;
}

Result<std::optional<ScriptRecord>> latest_script(Connection& c, const std::string& ws,
                                                  const std::string& path) {
  auto s = c.prepare(
      select_sql("WHERE workspace_id = ? AND path = ? AND deleted = 0 ORDER BY seq DESC LIMIT 1"));
  s.bind(1, ws).bind(2, path);
  std::optional<ScriptRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_script(r); }));
  return out;
}

Result<std::vector<ScriptRecord>> list_scripts(Connection& c, const std::string& ws,
                                               const ScriptListFilter& f) {
  std::string langs;
  for (const auto& l : f.languages) langs += (langs.empty() ? "" : ",") + l;
  auto s = c.prepare(select_sql(
      "s WHERE workspace_id = ?1 AND deleted = 0 "
      "AND seq = (SELECT max(seq) FROM script t WHERE t.workspace_id = s.workspace_id "
      "           AND t.path = s.path AND t.deleted = 0) "
      "AND archived = ?2 "
      "AND (CAST(?3 AS TEXT) IS NULL OR substr(path, 1, length(CAST(?3 AS TEXT))) = ?3) "
      "AND (CAST(?4 AS TEXT) IS NULL OR path = ?4) AND (CAST(?5 AS TEXT) IS NULL OR created_by = "
      "?5) "
      "AND (?6 = '' OR instr(',' || CAST(?6 AS TEXT) || ',', ',' || language || ',') > 0) " +
      (f.visible_prefixes ? "AND (" + any_prefix_sql("path", 9, f.visible_prefixes->size()) + ") "
                          : std::string()) +
      "ORDER BY seq DESC LIMIT ?7 OFFSET ?8"));
  s.bind(1, ws).bind(2, f.show_archived).bind(3, f.path_start).bind(4, f.path_exact);
  s.bind(5, f.created_by).bind(6, langs).bind(7, f.limit).bind(8, f.offset);
  if (f.visible_prefixes) {
    for (size_t i = 0; i < f.visible_prefixes->size(); ++i) {
      s.bind(static_cast<int>(9 + i), (*f.visible_prefixes)[i]);
    }
  }
  std::vector<ScriptRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_script(r)); }));
  return out;
}

Result<std::vector<ScriptRecord>> script_history(Connection& c, const std::string& ws,
                                                 const std::string& path) {
  auto s = c.prepare(select_sql("WHERE workspace_id = ? AND path = ? ORDER BY seq DESC"));
  s.bind(1, ws).bind(2, path);
  std::vector<ScriptRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_script(r)); }));
  return out;
}

Result<bool> script_has_child(Connection& c, const std::string& ws, const std::string& hash) {
  auto s = c.prepare("SELECT 1 FROM script WHERE workspace_id = ? AND parent_hash = ? LIMIT 1");
  s.bind(1, ws).bind(2, hash);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Status insert_script(Connection& c, ScriptRecord& r) {
  {
    auto s = c.prepare("SELECT coalesce(max(seq), 0) + 1 FROM script WHERE workspace_id = ?");
    s.bind(1, r.workspace_id);
    auto row = s.step();
    if (!row) return row.error();
    r.seq = s.int64(0);
  }
  auto s = c.prepare(std::string("INSERT INTO script (") + kColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.workspace_id).bind(2, r.hash).bind(3, r.path).bind(4, r.parent_hash);
  s.bind(5, r.summary).bind(6, r.description).bind(7, r.content).bind(8, r.language);
  s.bind(9, r.schema_json).bind(10, r.kind).bind(11, r.lock).bind(12, r.timeout_s);
  s.bind(13, r.extra_json).bind(14, r.archived).bind(15, r.deleted).bind(16, r.created_by);
  s.bind(17, r.created_at).bind(18, r.seq).bind(19, r.lock_error_logs);
  MR_TRY(s.run());
  if (r.parent_hash) {
    auto a = c.prepare("UPDATE script SET archived = 1 WHERE workspace_id = ? AND hash = ?");
    a.bind(1, r.workspace_id).bind(2, *r.parent_hash);
    MR_TRY(a.run());
  }
  return Status::ok();
}

Result<int64_t> archive_script_path(Connection& c, const std::string& ws, const std::string& path) {
  auto s = c.prepare("UPDATE script SET archived = 1 WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  MR_TRY(s.run());
  return c.changes();
}

Result<int64_t> unarchive_script_path(Connection& c, const std::string& ws,
                                      const std::string& path) {
  auto s = c.prepare(
      "UPDATE script SET archived = 0 WHERE workspace_id = ?1 AND path = ?2 AND seq = "
      "(SELECT max(seq) FROM script WHERE workspace_id = ?1 AND path = ?2 AND deleted = 0)");
  s.bind(1, ws).bind(2, path);
  MR_TRY(s.run());
  return c.changes();
}

Result<std::optional<ScriptLock>> find_script_lock(Connection& c, const std::string& ws,
                                                   const std::string& hash) {
  auto s = c.prepare(
      "SELECT lock, lock_error_logs FROM script "
      "WHERE workspace_id = ? AND hash = ?");
  s.bind(1, ws).bind(2, hash);
  std::optional<ScriptLock> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    out = ScriptLock{r.optional_text(0), r.optional_text(1)};
  }));
  return out;
}

Result<std::vector<std::string>> live_script_locks(Connection& c) {
  auto s = c.prepare(
      "SELECT DISTINCT lock FROM script WHERE deleted = 0 AND lock IS NOT NULL AND lock <> ''");
  std::vector<std::string> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(r.text(0)); }));
  return out;
}

Result<bool> settle_script_lock(Connection& c, const std::string& ws, const std::string& hash,
                                const ScriptLock& lock) {
  auto s = c.prepare(
      "UPDATE script SET lock = ?, lock_error_logs = ? WHERE workspace_id = ? AND hash = ? "
      "AND lock IS NULL AND lock_error_logs IS NULL");
  s.bind(1, lock.lock).bind(2, lock.error).bind(3, ws).bind(4, hash);
  MR_TRY(s.run());
  return c.changes() > 0;
}

}  // namespace millrace::store
