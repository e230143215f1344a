#include "store/http_triggers.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kColumns =
    "workspace_id, path, http_method, route_path, workspaced_route, config, email, edited_by, "
    "edited_at";

HttpTriggerRecord read_trigger(Statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), s.int64(4) != 0,
          s.text(5), s.text(6), s.text(7), s.int64(8)};
}

void bind_trigger(Statement& s, const HttpTriggerRecord& t, int first) {
  s.bind(first, t.workspace_id).bind(first + 1, t.path).bind(first + 2, t.http_method);
  s.bind(first + 3, t.route_path).bind(first + 4, t.workspaced_route);
  s.bind(first + 5, t.config_json).bind(first + 6, t.email).bind(first + 7, t.edited_by);
  s.bind(first + 8, t.edited_at);
}

}  // namespace

Result<std::optional<HttpTriggerRecord>> find_http_trigger(Connection& c, const std::string& ws,
                                                           const std::string& path) {
  auto s = c.prepare(std::string("SELECT ") + kColumns +
                     " FROM http_trigger WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  std::optional<HttpTriggerRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_trigger(r); }));
  return out;
}

Result<std::vector<HttpTriggerRecord>> list_http_triggers(Connection& c, const std::string& ws,
                                                          const PathListFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM http_trigger WHERE workspace_id = ?1 "
                    "AND (CAST(?2 AS TEXT) IS NULL OR "
                    "     substr(path, 1, length(CAST(?2 AS TEXT))) = ?2) "
                    "AND (CAST(?3 AS TEXT) IS NULL OR path = ?3) ";
  if (f.visible_prefixes) {
    sql += "AND (" + any_prefix_sql("path", 6, f.visible_prefixes->size()) + ") ";
  }
  auto s = c.prepare(sql + "ORDER BY path LIMIT ?4 OFFSET ?5");
  s.bind(1, ws).bind(2, f.path_start).bind(3, f.path_exact).bind(4, f.limit).bind(5, f.offset);
  if (f.visible_prefixes) {
    for (size_t i = 0; i < f.visible_prefixes->size(); ++i) {
      s.bind(6 + static_cast<int>(i), (*f.visible_prefixes)[i]);
    }
  }
  std::vector<HttpTriggerRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_trigger(r)); }));
  return out;
}

Result<std::vector<HttpTriggerRecord>> all_http_triggers(Connection& c) {
  auto s = c.prepare(std::string("SELECT ") + kColumns + " FROM http_trigger");
  std::vector<HttpTriggerRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_trigger(r)); }));
  return out;
}

Status insert_http_trigger(Connection& c, const HttpTriggerRecord& t) {
  auto s = c.prepare(std::string("INSERT INTO http_trigger (") + kColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_trigger(s, t, 1);
  return s.run();
}

Status update_http_trigger(Connection& c, const std::string& old_path, const HttpTriggerRecord& t) {
  auto s = c.prepare(
      "UPDATE http_trigger SET workspace_id = ?, path = ?, http_method = ?, route_path = ?, "
      "workspaced_route = ?, config = ?, email = ?, edited_by = ?, edited_at = ? "
      "WHERE workspace_id = ? AND path = ?");
  bind_trigger(s, t, 1);
  s.bind(10, t.workspace_id).bind(11, old_path);
  return s.run();
}

Result<int64_t> delete_http_trigger(Connection& c, const std::string& ws, const std::string& path) {
  auto s = c.prepare("DELETE FROM http_trigger WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  MR_TRY(s.run());
  return c.changes();
}

}  // namespace millrace::store
