#include "service/audit_log.h"

#include "auth/identity.h"
#include "store/database.h"

namespace millrace::service {

Result<std::vector<store::AuditRecord>> AuditLog::list(const auth::Identity& who,
                                                       const std::string& ws,
                                                       store::AuditFilter f) {
  f.all_workspaces = f.all_workspaces && who.super_admin;
  // Non-admins see only their own rows, whatever display name their tokens gave them.
  if (!who.is_admin && !who.super_admin) f.email = who.email;
  return db_.read([&](store::Connection& c) { return store::list_audit(c, ws, f); });
}

Result<std::optional<store::AuditRecord>> AuditLog::find(const auth::Identity& who,
                                                         const std::string& ws, int64_t id) {
  auto row = db_.read([&](store::Connection& c) { return store::get_audit(c, ws, id); });
  if (!row) return row.error();
  if (*row && !who.is_admin && (*row)->email != who.email) {
    return std::optional<store::AuditRecord>();
  }
  return row;
}

}  // namespace millrace::service
