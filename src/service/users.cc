#include "service/users.h"

#include <cctype>

#include "auth/authenticator.h"
#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/database.h"

namespace millrace::service {

bool is_valid_username(const std::string& u) {
  if (u.empty() || u.size() > 50) return false;
  for (char c : u) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

Status Users::create_user(const auth::Identity& who, store::UserRecord& u,
                          const std::string& wanted) {
  u.created_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_user(c, u.email);
    if (!existing) return existing.error();
    if (*existing) return Error::bad_request("User with email " + u.email + " already exists");
    u.username = wanted;
    for (int n = 1;; ++n) {
      auto taken = store::username_taken(c, u.username);
      if (!taken) return taken.error();
      if (!*taken) break;
      u.username = wanted + std::to_string(n);
    }
    MR_TRY(store::insert_user(c, u));
    return store::insert_audit(
        c, audit_row(clock_, who, "global", {"users.create", "Create", u.email, std::nullopt}));
  });
}

Status Users::add_member(const auth::Identity& who, store::MemberRecord& m,
                         const std::optional<std::string>& username) {
  const std::string ws = m.workspace_id;
  m.created_at = clock_.now_ms();
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto user = store::find_user(c, m.email);
    if (!user) return user.error();
    if (!*user) return Error::not_found("user not found at name " + m.email);
    m.username = username.value_or((*user)->username);
    if (!is_valid_username(m.username)) return Error::bad_request("invalid username " + m.username);
    auto existing = store::find_member(c, ws, m.email);
    if (!existing) return existing.error();
    if (*existing) return Error::bad_request(m.email + " is already a member of " + ws);
    auto taken = store::member_username_taken(c, ws, m.username);
    if (!taken) return taken.error();
    if (*taken) return Error::bad_request("username " + m.username + " is taken in " + ws);
    MR_TRY(store::insert_member(c, m));
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"users.add_to_workspace", "Create", m.email, std::nullopt}));
  });
  if (s) auth_.forget_member(ws, m.email);
  return s;
}

Status Users::create_workspace(const auth::Identity& who, store::WorkspaceRecord& w,
                               const std::optional<std::string>& username) {
  w.owner = who.email;
  w.created_at = clock_.now_ms();
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_workspace(c, w.id);
    if (!existing) return existing.error();
    if (*existing) return Error::bad_request("Workspace " + w.id + " already exists");
    MR_TRY(store::insert_workspace(c, w));
    auto user = store::find_user(c, who.email);
    if (!user) return user.error();
    if (*user) {
      store::MemberRecord m{w.id, who.email, username.value_or((*user)->username),
                            true, false,     w.created_at};
      MR_TRY(store::insert_member(c, m));
    }
    return store::insert_audit(
        c, audit_row(clock_, who, w.id, {"workspaces.create", "Create", w.id, std::nullopt}));
  });
  if (s) auth_.forget_member(w.id, who.email);
  return s;
}

Result<std::vector<store::MemberRecord>> Users::members(const std::string& ws) {
  return db_.read([&](store::Connection& c) { return store::list_members(c, ws); });
}

namespace {

// Whether the workspace keeps an admin once `leaving` (an admin now) is one no more.
Result<bool> another_admin_stays(store::Connection& c, const std::string& ws,
                                 const std::string& leaving) {
  auto all = store::list_members(c, ws);
  if (!all) return all.error();
  for (const auto& m : *all) {
    if (m.is_admin && m.email != leaving) return true;
  }
  return false;
}

}  // namespace

Status Users::update_member(const auth::Identity& who, const std::string& ws,
                            const std::string& username, std::optional<bool> is_admin,
                            std::optional<bool> is_operator) {
  std::string email;
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto found = store::find_member_by_username(c, ws, username);
    if (!found) return found.error();
    if (!*found) return Error::not_found("user " + username + " not found in " + ws);
    store::MemberRecord m = **found;
    email = m.email;
    if (m.is_admin && is_admin == false) {
      auto stays = another_admin_stays(c, ws, m.email);
      if (!stays) return stays.error();
      if (!*stays) return Error::bad_request(ws + " would have no admin left: make another first");
    }
    if (is_admin) m.is_admin = *is_admin;
    if (is_operator) m.is_operator = *is_operator;
    MR_TRY(store::update_member_roles(c, m));
    const std::string roles = std::string("{\"is_admin\": ") + (m.is_admin ? "true" : "false") +
                              ", \"operator\": " + (m.is_operator ? "true" : "false") + "}";
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"users.update", "Update", username, roles}));
  });
  if (s) auth_.forget_member(ws, email);
  return s;
}

Status Users::remove_member(const auth::Identity& who, const std::string& ws,
                            const std::string& username) {
  std::string email;
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto found = store::find_member_by_username(c, ws, username);
    if (!found) return found.error();
    if (!*found) return Error::not_found("user " + username + " not found in " + ws);
    email = (*found)->email;
    if ((*found)->is_admin) {
      auto stays = another_admin_stays(c, ws, email);
      if (!stays) return stays.error();
      if (!*stays) return Error::bad_request(ws + " would have no admin left: make another first");
    }
    MR_TRY(store::delete_member(c, ws, email));
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"users.delete", "Delete", username, std::nullopt}));
  });
  if (s) auth_.forget_member(ws, email);
  return s;
}

Status Users::set_password(const auth::Identity& who, const std::string& hash) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    // The superadmin secret's caller is no user: it has no password to set.
    auto user = store::find_user(c, who.email);
    if (!user) return user.error();
    if (!*user) return Error::not_found("user not found at name " + who.email);
    MR_TRY(store::set_password_hash(c, who.email, hash));
    return store::insert_audit(
        c,
        audit_row(clock_, who, "global", {"users.setpassword", "Update", who.email, std::nullopt}));
  });
}

Result<std::optional<store::UserRecord>> Users::find_user(const std::string& email) {
  return db_.read([&](store::Connection& c) { return store::find_user(c, email); });
}

Result<std::vector<store::WorkspaceRecord>> Users::workspaces_of(const std::string& email) {
  return db_.read([&](store::Connection& c) { return store::list_workspaces(c, email); });
}

Result<std::optional<store::WorkspaceRecord>> Users::find_workspace(const std::string& id) {
  return db_.read([&](store::Connection& c) { return store::find_workspace(c, id); });
}

Result<std::optional<store::MemberRecord>> Users::find_member(const std::string& ws,
                                                              const std::string& email) {
  return db_.read([&](store::Connection& c) { return store::find_member(c, ws, email); });
}

}  // namespace millrace::service
