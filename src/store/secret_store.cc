#include "store/secret_store.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kVariableColumns =
    "workspace_id, path, value, is_secret, description, account, is_oauth, expires_at, "
    "created_by, edited_at";
constexpr const char* kResourceColumns =
    "workspace_id, path, value, description, resource_type, created_by, edited_at";
constexpr const char* kTypeColumns =
    "workspace_id, name, schema, description, format_extension, created_by, edited_at";

VariableRecord read_variable(Statement& s) {
  VariableRecord v;
  v.workspace_id = s.text(0);
  v.path = s.text(1);
  v.value = s.text(2);
  v.is_secret = s.int64(3) != 0;
  v.description = s.text(4);
  v.account = s.optional_int64(5);
  v.is_oauth = s.int64(6) != 0;
  v.expires_at = s.optional_int64(7);
  v.created_by = s.text(8);
  v.edited_at = s.int64(9);
  return v;
}

ResourceRecord read_resource(Statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.int64(6)};
}

ResourceTypeRecord read_type(Statement& s) {
  return {s.text(0),          s.text(1), s.optional_text(2), s.text(3),
          s.optional_text(4), s.text(5), s.int64(6)};
}

// The WHERE clause of a list: parameters ?1 workspace, ?2 path_start, ?3 path, ?4 limit,
// ?5 offset, then (resources) ?6 types, ?7 excluded types, then the visible prefixes.
std::string list_where(const PathListFilter& f, bool resources) {
  int first_prefix = resources ? 8 : 6;
  std::string sql =
      "WHERE workspace_id = ?1 "
      "AND (CAST(?2 AS TEXT) IS NULL OR substr(path, 1, length(CAST(?2 AS TEXT))) = ?2) "
      "AND (CAST(?3 AS TEXT) IS NULL OR path = ?3) ";
  if (resources) {
    sql +=
        "AND (CAST(?6 AS TEXT) IS NULL OR "
        "     instr(',' || CAST(?6 AS TEXT) || ',', ',' || resource_type || ',') > 0) "
        "AND (CAST(?7 AS TEXT) IS NULL OR "
        "     instr(',' || CAST(?7 AS TEXT) || ',', ',' || resource_type || ',') = 0) ";
  }
  if (f.visible_prefixes) {
    sql += "AND (" + any_prefix_sql("path", first_prefix, f.visible_prefixes->size()) + ") ";
  }
  return sql + "ORDER BY path LIMIT ?4 OFFSET ?5";
}

void bind_list(Statement& s, const std::string& ws, const PathListFilter& f, bool resources) {
  s.bind(1, ws).bind(2, f.path_start).bind(3, f.path_exact).bind(4, f.limit).bind(5, f.offset);
  int first_prefix = 6;
  if (resources) {
    s.bind(6, f.resource_type).bind(7, f.resource_type_exclude);
    first_prefix = 8;
  }
  if (f.visible_prefixes) {
    for (size_t i = 0; i < f.visible_prefixes->size(); ++i) {
      s.bind(first_prefix + static_cast<int>(i), (*f.visible_prefixes)[i]);
    }
  }
}

void bind_variable(Statement& s, const VariableRecord& v) {
  s.bind(1, v.workspace_id).bind(2, v.path).bind(3, v.value).bind(4, v.is_secret);
  s.bind(5, v.description);
  if (v.account) {
    s.bind(6, *v.account);
  } else {
    s.bind(6, std::optional<std::string>());
  }
  s.bind(7, v.is_oauth);
  if (v.expires_at) {
    s.bind(8, *v.expires_at);
  } else {
    s.bind(8, std::optional<std::string>());
  }
  s.bind(9, v.created_by).bind(10, v.edited_at);
}

}  // namespace

Result<std::optional<VariableRecord>> find_variable(Connection& c, const std::string& ws,
                                                    const std::string& path) {
  auto s = c.prepare(std::string("SELECT ") + kVariableColumns +
                     " FROM variable WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  std::optional<VariableRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_variable(r); }));
  return out;
}

Result<std::vector<VariableRecord>> list_variables(Connection& c, const std::string& ws,
                                                   const PathListFilter& f) {
  auto s = c.prepare(std::string("SELECT ") + kVariableColumns + " FROM variable " +
                     list_where(f, false));
  bind_list(s, ws, f, false);
  std::vector<VariableRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_variable(r)); }));
  return out;
}

Result<std::vector<VariableRecord>> list_secret_variables(Connection& c, const std::string& ws) {
  auto s = c.prepare(std::string("SELECT ") + kVariableColumns +
                     " FROM variable WHERE workspace_id = ? AND is_secret = 1");
  s.bind(1, ws);
  std::vector<VariableRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_variable(r)); }));
  return out;
}

Status insert_variable(Connection& c, const VariableRecord& v) {
  auto s = c.prepare(std::string("INSERT INTO variable (") + kVariableColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  bind_variable(s, v);
  return s.run();
}

Status update_variable(Connection& c, const std::string& old_path, const VariableRecord& v) {
  auto s = c.prepare(
      "UPDATE variable SET workspace_id = ?1, path = ?2, value = ?3, is_secret = ?4, "
      "description = ?5, account = ?6, is_oauth = ?7, expires_at = ?8, created_by = ?9, "
      "edited_at = ?10 WHERE workspace_id = ?1 AND path = ?11");
  bind_variable(s, v);
  s.bind(11, old_path);
  return s.run();
}

Result<int64_t> delete_variable(Connection& c, const std::string& ws, const std::string& path) {
  auto s = c.prepare("DELETE FROM variable WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  MR_TRY(s.run());
  return c.changes();
}

Result<std::optional<ResourceRecord>> find_resource(Connection& c, const std::string& ws,
                                                    const std::string& path) {
  auto s = c.prepare(std::string("SELECT ") + kResourceColumns +
                     " FROM resource WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  std::optional<ResourceRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_resource(r); }));
  return out;
}

Result<std::vector<ResourceRecord>> list_resources(Connection& c, const std::string& ws,
                                                   const PathListFilter& f) {
  auto s = c.prepare(std::string("SELECT ") + kResourceColumns + " FROM resource " +
                     list_where(f, true));
  bind_list(s, ws, f, true);
  std::vector<ResourceRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_resource(r)); }));
  return out;
}

Status insert_resource(Connection& c, const ResourceRecord& r) {
  auto s = c.prepare(std::string("INSERT INTO resource (") + kResourceColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.workspace_id).bind(2, r.path).bind(3, r.value_json).bind(4, r.description);
  s.bind(5, r.resource_type).bind(6, r.created_by).bind(7, r.edited_at);
  return s.run();
}

Status update_resource(Connection& c, const std::string& old_path, const ResourceRecord& r) {
  auto s = c.prepare(
      "UPDATE resource SET path = ?, value = ?, description = ?, resource_type = ?, "
      "edited_at = ? WHERE workspace_id = ? AND path = ?");
  s.bind(1, r.path).bind(2, r.value_json).bind(3, r.description).bind(4, r.resource_type);
  s.bind(5, r.edited_at).bind(6, r.workspace_id).bind(7, old_path);
  return s.run();
}

Result<int64_t> delete_resource(Connection& c, const std::string& ws, const std::string& path) {
  auto s = c.prepare("DELETE FROM resource WHERE workspace_id = ? AND path = ?");
  s.bind(1, ws).bind(2, path);
  MR_TRY(s.run());
  return c.changes();
}

Result<std::optional<ResourceTypeRecord>> find_resource_type(Connection& c, const std::string& ws,
                                                             const std::string& shared_ws,
                                                             const std::string& name) {
  // The workspace's own type first, the shared one otherwise.
  auto s = c.prepare(std::string("SELECT ") + kTypeColumns +
                     " FROM resource_type WHERE (workspace_id = ?1 OR workspace_id = ?2) "
                     "AND name = ?3 ORDER BY workspace_id = ?1 DESC LIMIT 1");
  s.bind(1, ws).bind(2, shared_ws).bind(3, name);
  std::optional<ResourceTypeRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_type(r); }));
  return out;
}

Result<std::vector<ResourceTypeRecord>> list_resource_types(Connection& c, const std::string& ws,
                                                            const std::string& shared_ws) {
  auto s = c.prepare(std::string("SELECT ") + kTypeColumns +
                     " FROM resource_type WHERE workspace_id = ?1 OR workspace_id = ?2 "
                     "ORDER BY name, workspace_id = ?1 DESC");
  s.bind(1, ws).bind(2, shared_ws);
  std::vector<ResourceTypeRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    auto t = read_type(r);
    if (out.empty() || out.back().name != t.name) out.push_back(std::move(t));
  }));
  return out;
}

Status insert_resource_type(Connection& c, const ResourceTypeRecord& t) {
  auto s = c.prepare(std::string("INSERT INTO resource_type (") + kTypeColumns +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, t.workspace_id).bind(2, t.name).bind(3, t.schema_json).bind(4, t.description);
  s.bind(5, t.format_extension).bind(6, t.created_by).bind(7, t.edited_at);
  return s.run();
}

Status update_resource_type(Connection& c, const ResourceTypeRecord& t) {
  auto s = c.prepare(
      "UPDATE resource_type SET schema = ?, description = ?, format_extension = ?, edited_at = ? "
      "WHERE workspace_id = ? AND name = ?");
  s.bind(1, t.schema_json).bind(2, t.description).bind(3, t.format_extension);
  s.bind(4, t.edited_at).bind(5, t.workspace_id).bind(6, t.name);
  return s.run();
}

Result<int64_t> delete_resource_type(Connection& c, const std::string& ws,
                                     const std::string& name) {
  auto s = c.prepare("DELETE FROM resource_type WHERE workspace_id = ? AND name = ?");
  s.bind(1, ws).bind(2, name);
  MR_TRY(s.run());
  return c.changes();
}

Result<std::optional<std::string>> find_workspace_key(Connection& c, const std::string& ws) {
  auto s = c.prepare("SELECT wrapped FROM workspace_key WHERE workspace_id = ?");
  s.bind(1, ws);
  std::optional<std::string> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = r.text(0); }));
  return out;
}

Status insert_workspace_key(Connection& c, const std::string& ws, const std::string& wrapped,
                            EpochMs now) {
  auto s = c.prepare(
      "INSERT INTO workspace_key (workspace_id, wrapped, created_at) VALUES (?, ?, ?) "
      "ON CONFLICT DO NOTHING");
  s.bind(1, ws).bind(2, wrapped).bind(3, now);
  return s.run();
}

Result<std::vector<WrappedKey>> list_workspace_keys(Connection& c) {
  auto s = c.prepare("SELECT workspace_id, wrapped FROM workspace_key ORDER BY workspace_id");
  std::vector<WrappedKey> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back({r.text(0), r.text(1)}); }));
  return out;
}

Status update_workspace_key(Connection& c, const std::string& ws, const std::string& wrapped) {
  auto s = c.prepare("UPDATE workspace_key SET wrapped = ? WHERE workspace_id = ?");
  s.bind(1, wrapped).bind(2, ws);
  return s.run();
}

}  // namespace millrace::store
