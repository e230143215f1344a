// Who may see or act on one job of a workspace: a token scoped to running scripts or flows only
// the jobs it started (and the steps of a flow it started); a member the jobs they started and
// those of paths they may read (api/path_access.h); an admin every job. Used by every route
// that names a job.
#pragma once

#include <string>

#include "api/context.h"
#include "auth/identity.h"
#include "common/error.h"
#include "store/jobs.h"

namespace millrace::api {

// 403 for a run-scoped token's job it did not start; 404 (as if absent) for a member's job
// they may not see.
Status may_see_job(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                   const store::JobRecord& job);

}  // namespace millrace::api
