#include "service/job_inputs.h"

#include "auth/authenticator.h"
#include "service/references.h"
#include "service/variables.h"

namespace millrace::service {

Result<worker::JobInputs::Prepared> WorkspaceJobInputs::prepare(const store::JobRecord& job) {
  Prepared out;
  out.args_json = job.args_json;
  // An HTTP route's arguments come from whoever calls it (a third party, run as the route's
  // owner): taken literally, or a sender could name the owner's secrets and read them back.
  const bool literal = job.trigger_kind == TriggerKind::Http;
  if (!literal && References::may_hold_references(job.args_json)) {
    const std::string username = job.permissioned_as.substr(job.permissioned_as.find('/') + 1);
    auto who = auth_.job_identity(job.email, username, job.workspace_id, job.id);
    if (!who) {
      return Error::permission_denied(job.permissioned_as + " is no longer a member of " +
                                      job.workspace_id + ": its references cannot be read");
    }
    References refs(variables_, resources_, folders_);
    auto resolved = refs.resolve(*who, job.workspace_id, job.args_json);
    if (!resolved) return resolved.error();
    out.args_json = std::move(*resolved);
  }
  auto secrets = variables_.secrets_in_clear(job.workspace_id);
  if (!secrets) return secrets.error();
  out.secrets = std::move(*secrets);
  return out;
}

}  // namespace millrace::service
