// Users, workspaces and membership: superadmins create users and workspaces (whose creator is
// their first admin); a workspace's admins add members. This service owns their rows, the audit
// row of every change, and tells the authenticator when a membership changes. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/users.h"

namespace millrace::auth {
struct Identity;
class Authenticator;
}  // namespace millrace::auth
namespace millrace::store {
class Database;
}

namespace millrace::service {

// Letters, digits, _ and -, at most 50: a username is a path segment (u/<username>/...).
bool is_valid_username(const std::string& username);

class Users {
 public:
  Users(store::Database& db, const Clock& clock, auth::Authenticator& auth)
      : db_(db), clock_(clock), auth_(auth) {}

  // Stores `u` (its password already hashed) as of now, named `wanted` or, when another user
  // has that name, `wanted` with the first free number after it (u.username says which). 400
  // when a user has that email.
  Status create_user(const auth::Identity& who, store::UserRecord& u, const std::string& wanted);
  // Adds the user m.email to m.workspace_id, named `username` there (absent: their own name,
  // which m.username then says). 404 when there is no such user; 400 for a bad or taken
  // username, or one already a member.
  Status add_member(const auth::Identity& who, store::MemberRecord& m,
                    const std::optional<std::string>& username);
  // Creates `w` as of now, owned by `who`, who (when a user) is its first admin, named
  // `username` there (absent: their own). 400 when the id is taken.
  Status create_workspace(const auth::Identity& who, store::WorkspaceRecord& w,
                          const std::optional<std::string>& username);

  // The workspace's members. Changing a member's roles or removing them takes effect at their
  // next request; a workspace always keeps one admin (400 otherwise). 404 for no such member.
  Result<std::vector<store::MemberRecord>> members(const std::string& ws);
  Status update_member(const auth::Identity& who, const std::string& ws,
                       const std::string& username, std::optional<bool> is_admin,
                       std::optional<bool> is_operator);
  Status remove_member(const auth::Identity& who, const std::string& ws,
                       const std::string& username);
  // `who`'s own password, already hashed.
  Status set_password(const auth::Identity& who, const std::string& hash);

  Result<std::optional<store::UserRecord>> find_user(const std::string& email);
  Result<std::vector<store::WorkspaceRecord>> workspaces_of(const std::string& email);
  Result<std::optional<store::WorkspaceRecord>> find_workspace(const std::string& id);
  Result<std::optional<store::MemberRecord>> find_member(const std::string& ws,
                                                         const std::string& email);

 private:
  store::Database& db_;
  const Clock& clock_;
  auth::Authenticator& auth_;
};

}  // namespace millrace::service
