#include "api/job_access.h"

#include "api/path_access.h"
#include "auth/scopes.h"

namespace millrace::api {
namespace {

// A member sees a job they started (or that runs as them), or one of a path they may read.
Result<bool> member_sees(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                         const store::JobRecord& job) {
  if (job.email == who.email) return true;
  if (!job.script_path) return false;
  auto rights = path_rights(ctx, who, ws, *job.script_path);
  if (!rights) return rights.error();
  return rights->read;
}

}  // namespace

Status may_see_job(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                   const store::JobRecord& job) {
  std::optional<store::JobRecord> root;
  if (job.root_job) {
    auto found = ctx.jobs.find(ws, *job.root_job);
    if (!found) return found.error();
    if (*found) root = std::move((*found)->job);
  }
  if (!auth::scopes_read_all_jobs(who.scopes)) {
    // Run scopes: the token's own jobs, by the prefix every job records of the token that made
    // it (tokens are random: no other token has it), and the steps of a flow it started.
    auto started_by_this_token = [&](const store::JobRecord& j) {
      return !who.token_prefix.empty() && j.token_prefix && *j.token_prefix == who.token_prefix;
    };
    if (!started_by_this_token(job) && !(root && started_by_this_token(*root))) {
      return Error::permission_denied(
          "this token may run scripts or flows, and read only the jobs it started (jobs:read "
          "reads the others)");
    }
  }
  if (who.is_admin || who.super_admin) return Status::ok();
  const store::JobRecord* seen[] = {&job, root ? &*root : nullptr};
  for (const store::JobRecord* j : seen) {
    if (!j) continue;
    auto sees = member_sees(ctx, who, ws, *j);
    if (!sees) return sees.error();
    if (*sees) return Status::ok();
  }
  // As if it were not there.
  return Error::not_found("Job not found at name " + job.id);
}

}  // namespace millrace::api
