#include "service/audit_entry.h"

#include "auth/identity.h"

namespace millrace::service {

store::AuditRecord audit_row(const Clock& clock, const auth::Identity& who,
                             const std::string& workspace, AuditEntry e) {
  store::AuditRecord a;
  a.workspace_id = workspace;
  a.timestamp = clock.now_ms();
  a.username = who.display_name();
  a.email = who.email;
  a.operation = std::move(e.operation);
  a.action_kind = std::move(e.action_kind);
  a.resource = std::move(e.resource);
  a.parameters_json = std::move(e.parameters_json);
  if (!who.token_prefix.empty()) a.token_prefix = who.token_prefix;
  return a;
}

}  // namespace millrace::service
