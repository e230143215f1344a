#include "store/audit.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

constexpr const char* kSelect =
    "SELECT id, workspace_id, timestamp, username, email, operation, action_kind, resource, "
    "parameters, token_prefix FROM audit ";

AuditRecord read_audit(Statement& s) {
  return {s.int64(0), s.text(1), s.int64(2),         s.text(3),          s.optional_text(4),
          s.text(5),  s.text(6), s.optional_text(7), s.optional_text(8), s.optional_text(9)};
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
  return out;
}

}  // namespace

Status insert_audit(Connection& c, const AuditRecord& a) {
  auto s = c.prepare(
      "INSERT INTO audit (workspace_id, timestamp, username, email, operation, action_kind, "
      "resource, parameters, token_prefix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, a.workspace_id).bind(2, a.timestamp).bind(3, a.username).bind(4, a.email);
  s.bind(5, a.operation).bind(6, a.action_kind).bind(7, a.resource).bind(8, a.parameters_json);
  s.bind(9, a.token_prefix);
  return s.run();
}

Result<std::vector<AuditRecord>> list_audit(Connection& c, const std::string& workspace_id,
                                            const AuditFilter& f) {
  auto s = c.prepare(
      std::string(kSelect) +
      "WHERE (?1 OR workspace_id = ?2) "
      "AND (CAST(?3 AS TEXT) IS NULL OR substr(operation, 1, length(CAST(?3 AS TEXT))) = ?3) "
      "AND (?4 = '' OR instr(',' || CAST(?4 AS TEXT) || ',', ',' || operation || ',') > 0) "
      "AND (?5 = '' OR instr(',' || CAST(?5 AS TEXT) || ',', ',' || operation || ',') = 0) "
      "AND (CAST(?6 AS TEXT) IS NULL OR substr(resource, 1, length(CAST(?6 AS TEXT))) = ?6) "
      "AND (CAST(?7 AS TEXT) IS NULL OR username = ?7) AND (CAST(?8 AS TEXT) IS NULL OR "
      "action_kind = ?8) "
      "AND (CAST(?9 AS BIGINT) IS NULL OR timestamp < ?9) AND (CAST(?10 AS BIGINT) IS NULL OR "
      "timestamp > ?10) "
      "AND (CAST(?13 AS TEXT) IS NULL OR email = ?13) "
      "ORDER BY id DESC LIMIT ?11 OFFSET ?12");
  s.bind(1, f.all_workspaces).bind(2, workspace_id).bind(3, f.operation);
  s.bind(4, join(f.operations)).bind(5, join(f.exclude_operations)).bind(6, f.resource);
  s.bind(7, f.username).bind(8, f.action_kind).bind(9, f.before).bind(10, f.after);
  s.bind(11, f.limit).bind(12, f.offset).bind(13, f.email);
  std::vector<AuditRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_audit(r)); }));
  return out;
}

Result<std::optional<AuditRecord>> get_audit(Connection& c, const std::string& workspace_id,
                                             int64_t id) {
  auto s = c.prepare(std::string(kSelect) + "WHERE workspace_id = ? AND id = ?");
  s.bind(1, workspace_id).bind(2, id);
  std::optional<AuditRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_audit(r); }));
  return out;
}

}  // namespace millrace::store
