// Users, workspaces and workspace membership.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct UserRecord {
  std::string email;
  std::string username;
  std::optional<std::string> password_hash;
  bool super_admin = false;
  std::optional<std::string> name;
  std::optional<std::string> company;
  EpochMs created_at = 0;
};

struct WorkspaceRecord {
  std::string id;
  std::string name;
  std::string owner;
  EpochMs created_at = 0;
};

struct MemberRecord {
  std::string workspace_id;
  std::string email;
  std::string username;
  bool is_admin = false;
  bool is_operator = false;
  EpochMs created_at = 0;
};

Result<std::optional<UserRecord>> find_user(Connection& c, const std::string& email);
Result<bool> username_taken(Connection& c, const std::string& username);
Result<int64_t> count_users(Connection& c);
Status insert_user(Connection& c, const UserRecord& user);

Result<std::optional<WorkspaceRecord>> find_workspace(Connection& c, const std::string& id);
// All workspaces when `email` is empty, else those the user is a member of.
Result<std::vector<WorkspaceRecord>> list_workspaces(Connection& c, const std::string& email);
Status insert_workspace(Connection& c, const WorkspaceRecord& ws);

Result<std::optional<MemberRecord>> find_member(Connection& c, const std::string& workspace_id,
                                                const std::string& email);
Result<bool> member_username_taken(Connection& c, const std::string& workspace_id,
                                   const std::string& username);
Status insert_member(Connection& c, const MemberRecord& m);
// The members of a workspace, by username.
Result<std::vector<MemberRecord>> list_members(Connection& c, const std::string& workspace_id);
Result<std::optional<MemberRecord>> find_member_by_username(Connection& c,
                                                            const std::string& workspace_id,
                                                            const std::string& username);
Status update_member_roles(Connection& c, const MemberRecord& m);
Status delete_member(Connection& c, const std::string& workspace_id, const std::string& email);
Status set_password_hash(Connection& c, const std::string& email, const std::string& hash);

// A named server secret (e.g. the key that signs job tokens), created on first use.
Result<std::optional<std::string>> find_server_secret(Connection& c, const std::string& name);
Status insert_server_secret(Connection& c, const std::string& name, const std::string& value);
Status update_server_secret(Connection& c, const std::string& name, const std::string& value);

}  // namespace millrace::store
