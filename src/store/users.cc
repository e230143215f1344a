#include "store/users.h"

#include "store/rows.h"

namespace millrace::store {
namespace {

UserRecord read_user(Statement& s) {
  return {s.text(0),          s.text(1),          s.optional_text(2), s.int64(3) != 0,
          s.optional_text(4), s.optional_text(5), s.int64(6)};
}
WorkspaceRecord read_workspace(Statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.int64(3)};
}

}  // namespace

Result<std::optional<UserRecord>> find_user(Connection& c, const std::string& email) {
  auto s = c.prepare(
      "SELECT email, username, password_hash, super_admin, name, company, created_at "
      "FROM \"user\" WHERE email = ?");
  s.bind(1, email);
  std::optional<UserRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_user(r); }));
  return out;
}

Result<bool> username_taken(Connection& c, const std::string& username) {
  auto s = c.prepare("SELECT 1 FROM \"user\" WHERE username = ?");
  s.bind(1, username);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Result<int64_t> count_users(Connection& c) {
  auto s = c.prepare("SELECT count(*) FROM \"user\"");
  auto row = s.step();
  if (!row) return row.error();
  return s.int64(0);
}

Status insert_user(Connection& c, const UserRecord& u) {
  auto s = c.prepare(
      "INSERT INTO \"user\" (email, username, password_hash, super_admin, name, company, "
      "created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, u.email).bind(2, u.username).bind(3, u.password_hash).bind(4, u.super_admin);
  s.bind(5, u.name).bind(6, u.company).bind(7, u.created_at);
  return s.run();
}

Result<std::optional<WorkspaceRecord>> find_workspace(Connection& c, const std::string& id) {
  auto s = c.prepare("SELECT id, name, owner, created_at FROM workspace WHERE id = ?");
  s.bind(1, id);
  std::optional<WorkspaceRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_workspace(r); }));
  return out;
}

Result<std::vector<WorkspaceRecord>> list_workspaces(Connection& c, const std::string& email) {
  auto s = email.empty()
               ? c.prepare("SELECT id, name, owner, created_at FROM workspace ORDER BY id")
               : c.prepare(
                     "SELECT w.id, w.name, w.owner, w.created_at FROM workspace w "
                     "JOIN member m ON m.workspace_id = w.id WHERE m.email = ? ORDER BY w.id");
  if (!email.empty()) s.bind(1, email);
  std::vector<WorkspaceRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_workspace(r)); }));
  return out;
}

Status insert_workspace(Connection& c, const WorkspaceRecord& w) {
  auto s = c.prepare("INSERT INTO workspace (id, name, owner, created_at) VALUES (?, ?, ?, ?)");
  s.bind(1, w.id).bind(2, w.name).bind(3, w.owner).bind(4, w.created_at);
  return s.run();
}

Result<std::optional<MemberRecord>> find_member(Connection& c, const std::string& workspace_id,
                                                const std::string& email) {
  auto s = c.prepare(
      "SELECT workspace_id, email, username, is_admin, operator, created_at FROM member "
      "WHERE workspace_id = ? AND email = ?");
  s.bind(1, workspace_id).bind(2, email);
  std::optional<MemberRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    out =
        MemberRecord{r.text(0), r.text(1), r.text(2), r.int64(3) != 0, r.int64(4) != 0, r.int64(5)};
  }));
  return out;
}

Result<bool> member_username_taken(Connection& c, const std::string& workspace_id,
                                   const std::string& username) {
  auto s = c.prepare("SELECT 1 FROM member WHERE workspace_id = ? AND username = ?");
  s.bind(1, workspace_id).bind(2, username);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Status insert_member(Connection& c, const MemberRecord& m) {
  auto s = c.prepare(
      "INSERT INTO member (workspace_id, email, username, is_admin, operator, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, m.workspace_id).bind(2, m.email).bind(3, m.username).bind(4, m.is_admin);
  s.bind(5, m.is_operator).bind(6, m.created_at);
  return s.run();
}

namespace {
constexpr const char* kMemberColumns =
    "SELECT workspace_id, email, username, is_admin, operator, created_at FROM member ";
MemberRecord read_member(Statement& r) {
  return {r.text(0), r.text(1), r.text(2), r.int64(3) != 0, r.int64(4) != 0, r.int64(5)};
}
}  // namespace

Result<std::vector<MemberRecord>> list_members(Connection& c, const std::string& workspace_id) {
  auto s = c.prepare(std::string(kMemberColumns) + "WHERE workspace_id = ? ORDER BY username");
  s.bind(1, workspace_id);
  std::vector<MemberRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(read_member(r)); }));
  return out;
}

Result<std::optional<MemberRecord>> find_member_by_username(Connection& c,
                                                            const std::string& workspace_id,
                                                            const std::string& username) {
  auto s = c.prepare(std::string(kMemberColumns) + "WHERE workspace_id = ? AND username = ?");
  s.bind(1, workspace_id).bind(2, username);
  std::optional<MemberRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = read_member(r); }));
  return out;
}

Status update_member_roles(Connection& c, const MemberRecord& m) {
  auto s = c.prepare(
      "UPDATE member SET is_admin = ?, operator = ? WHERE workspace_id = ? AND email = ?");
  s.bind(1, m.is_admin).bind(2, m.is_operator).bind(3, m.workspace_id).bind(4, m.email);
  return s.run();
}

Status delete_member(Connection& c, const std::string& workspace_id, const std::string& email) {
  auto s = c.prepare("DELETE FROM member WHERE workspace_id = ? AND email = ?");
  s.bind(1, workspace_id).bind(2, email);
  return s.run();
}

Status set_password_hash(Connection& c, const std::string& email, const std::string& hash) {
  auto s = c.prepare("UPDATE \"user\" SET password_hash = ? WHERE email = ?");
  s.bind(1, hash).bind(2, email);
  return s.run();
}

Result<std::optional<std::string>> find_server_secret(Connection& c, const std::string& name) {
  auto s = c.prepare("SELECT value FROM server_secret WHERE name = ?");
  s.bind(1, name);
  std::optional<std::string> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = r.text(0); }));
  return out;
}

Status insert_server_secret(Connection& c, const std::string& name, const std::string& value) {
  auto s =
      c.prepare("INSERT INTO server_secret (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING");
  s.bind(1, name).bind(2, value);
  return s.run();
}

Status update_server_secret(Connection& c, const std::string& name, const std::string& value) {
  auto s = c.prepare("UPDATE server_secret SET value = ? WHERE name = ?");
  s.bind(1, value).bind(2, name);
  return s.run();
}

}  // namespace millrace::store
