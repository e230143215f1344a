// The audit log: one row per side-effecting operation, kept in the open.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct AuditRecord {
  int64_t id = 0;
  std::string workspace_id;
  EpochMs timestamp = 0;
  std::string username;
  std::optional<std::string> email;
  std::string operation;    // e.g. jobs.run.script
  std::string action_kind;  // Create | Update | Delete | Execute
  std::optional<std::string> resource;
  std::optional<std::string> parameters_json;
  std::optional<std::string> token_prefix;
};

struct AuditFilter {
  std::optional<std::string> operation;  // exact or prefix
  std::vector<std::string> operations;   // exact, any of
  std::vector<std::string> exclude_operations;
  std::optional<std::string> resource;  // exact or prefix
  std::optional<std::string> username;  // exact
  std::optional<std::string> email;     // exact (non-admins see only their own rows)
  std::optional<std::string> action_kind;
  std::optional<EpochMs> before;
  std::optional<EpochMs> after;
  bool all_workspaces = false;
  int64_t limit = 1000;
  int64_t offset = 0;
};

Status insert_audit(Connection& c, const AuditRecord& a);
Result<std::vector<AuditRecord>> list_audit(Connection& c, const std::string& workspace_id,
                                            const AuditFilter& f);
Result<std::optional<AuditRecord>> get_audit(Connection& c, const std::string& workspace_id,
                                             int64_t id);

}  // namespace millrace::store
