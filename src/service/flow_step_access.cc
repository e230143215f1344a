#include "service/flow_step_access.h"

#include "auth/authenticator.h"
#include "service/path_rights.h"
#include "store/jobs.h"

namespace millrace::service {

Status FlowStepAccess::may_run(const store::JobRecord& flow, const std::string& kind,
                               const std::string& path) {
  const std::string username = flow.permissioned_as.substr(flow.permissioned_as.find('/') + 1);
  auto who = auth_.job_identity(flow.email, username, flow.workspace_id, flow.id);
  if (!who) {
    return Error::permission_denied(flow.permissioned_as + " is no longer a member of " +
                                    flow.workspace_id);
  }
  auto readable = may_read_path(folders_, *who, flow.workspace_id, path);
  if (!readable) return readable.error();
  if (!*readable) return Error::not_found(kind + " not found at path " + path);
  return Status::ok();
}

}  // namespace millrace::service
