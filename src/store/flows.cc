#include "store/flows.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kColumns =
    "workspace_id, path, summary, description, value, schema, extra, archived, edited_by, "
    "edited_at, version_id";

FlowRecord read_flow(Statement& s) {
  FlowRecord f;
  f.workspace_id = s.text(0);
  f.path = s.text(1);
  f.summary = s.text(2);
  f.description = s.text(3);
  f.value_json = s.text(4);
  f.schema_json = s.optional_text(5);
  f.extra_json = s.optional_text(6);
  f.archived = s.int64(7) != 0;
  f.edited_by = s.text(8);
  f.edited_at = s.int64(9);
  f.version_id = s.int64(10);
  return f;
}

}  // namespace

Result<std::optional<FlowRecord>> find_flow(Connection& c, const std::string& ws,
                                            const std::string& path) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM flow WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  std::optional<FlowRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_flow(r); }));
  return out;
}

Result<std::optional<FlowRecord>> find_flow_version(Connection& c, const std::string& ws,
                                                    int64_t id) {
  auto s = c.prepare(
      "SELECT workspace_id, path, summary, description, value, schema, extra, "
      "coalesce((SELECT archived FROM flow f WHERE f.workspace_id = flow_version.workspace_id "
      "AND f.path = flow_version.path), 0), created_by, created_at, id "
      "FROM flow_version WHERE workspace_id = ? AND id = ?");
  s.bind(1, ws).bind(2, id);
  std::optional<FlowRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_flow(r); }));
  return out;
}

Result<std::vector<FlowRecord>> list_flows(Connection& c, const std::string& ws,
                                           const FlowListFilter& f) {
  auto s = c.prepare(
      std::string("SELECT ") + kColumns +
      " FROM flow WHERE workspace_id = ?1 AND archived = ?2 "
      "AND (CAST(?3 AS TEXT) IS NULL OR substr(path, 1, length(CAST(?3 AS TEXT))) = ?3) " +
      (f.visible_prefixes ? "AND (" + any_prefix_sql("path", 6, f.visible_prefixes->size()) + ") "
                          : std::string()) +
      "ORDER BY edited_at DESC, version_id DESC LIMIT ?4 OFFSET ?5");
  s.bind(1, ws).bind(2, f.show_archived).bind(3, f.path_start).bind(4, f.limit).bind(5, f.offset);
  if (f.visible_prefixes) {
    for (size_t i = 0; i < f.visible_prefixes->size(); ++i) {
      s.bind(static_cast<int>(6 + i), (*f.visible_prefixes)[i]);
    }
  }
  std::vector<FlowRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_flow(r)); }));
  return out;
}

Result<std::vector<FlowVersionInfo>> flow_history(Connection& c, const std::string& ws,
                                                  const std::string& path) {
  auto s = c.prepare(
      "SELECT id, created_by, created_at, deployment_msg FROM flow_version "
      "WHERE workspace_id = ? AND path = ? ORDER BY id DESC");
  s.bind(1, ws).bind(2, path);
  std::vector<FlowVersionInfo> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    out.push_back({r.int64(0), r.text(1), r.int64(2), r.optional_text(3)});
  }));
  return out;
}

Status save_flow(Connection& c, FlowRecord& f, const std::optional<std::string>& renamed_from,
                 const std::optional<std::string>& deployment_msg) {
  {
    auto v = c.prepare(
        "INSERT INTO flow_version (workspace_id, path, summary, description, value, schema, "
        "extra, created_by, created_at, deployment_msg) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id");
    v.bind(1, f.workspace_id).bind(2, f.path).bind(3, f.summary).bind(4, f.description);
    v.bind(5, f.value_json).bind(6, f.schema_json).bind(7, f.extra_json).bind(8, f.edited_by);
    v.bind(9, f.edited_at).bind(10, deployment_msg);
    auto row = v.step();
    if (!row) return row.error();
    f.version_id = v.int64(0);
    MR_TRY(v.run());  // finishes the statement
  }
  if (renamed_from && *renamed_from != f.path) {
    auto d = c.prepare("DELETE FROM flow WHERE workspace_id = ? AND path = ?");
    d.bind(1, f.workspace_id).bind(2, *renamed_from);
    MR_TRY(d.run());
  }
  f.archived = false;
  auto s =
      c.prepare(std::string("INSERT INTO flow (") + kColumns +
                ") VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (workspace_id, path) "
                "DO UPDATE SET summary = excluded.summary, description = excluded.description, "
                "value = excluded.value, schema = excluded.schema, extra = excluded.extra, "
                "archived = 0, edited_by = excluded.edited_by, edited_at = excluded.edited_at, "
                "version_id = excluded.version_id");
  s.bind(1, f.workspace_id).bind(2, f.path).bind(3, f.summary).bind(4, f.description);
  s.bind(5, f.value_json).bind(6, f.schema_json).bind(7, f.extra_json).bind(8, f.edited_by);
  s.bind(9, f.edited_at).bind(10, f.version_id);
  return s.run();
}

Result<int64_t> set_flow_archived(Connection& c, const std::string& ws, const std::string& path,
                                  bool archived) {
  auto s = c.prepare("UPDATE flow SET archived = ? WHERE workspace_id = ? AND path = ?");
  s.bind(1, archived).bind(2, ws).bind(3, path);
  MR_TRY(s.run());
  return c.changes();
}

Result<int64_t> delete_flow(Connection& c, const std::string& ws, const std::string& path) {
  auto v = c.prepare("DELETE FROM flow_version WHERE workspace_id = ? AND path = ?");
  v.bind(1, ws).bind(2, path);
  MR_TRY(v.run());
  auto s = c.prepare("DELETE FROM flow WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  MR_TRY(s.run());
  return c.changes();
}

}  // namespace millrace::store
