// The audit log as callers read it: admins (and superadmins) see every row of their
// workspace, others only their own. The rows are written by the services whose changes they
// record, in the same transaction (audit_entry.h). Thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "common/error.h"
#include "store/audit.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

class AuditLog {
 public:
  explicit AuditLog(store::Database& db) : db_(db) {}

  // The rows of workspace `ws` that match `f` and that `who` may see (every workspace's with
  // f.all_workspaces, for a superadmin only).
  Result<std::vector<store::AuditRecord>> list(const auth::Identity& who, const std::string& ws,
                                               store::AuditFilter f);
  // Row `id`, when `who` may see it.
  Result<std::optional<store::AuditRecord>> find(const auth::Identity& who, const std::string& ws,
                                                 int64_t id);

 private:
  store::Database& db_;
};

}  // namespace millrace::service
