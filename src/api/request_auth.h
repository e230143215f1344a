// Who sent a request, and may they call this route: the token is taken from
// `Authorization: Bearer`, else the `token` cookie, else `?token=` (reference §1.2).
#pragma once

#include <optional>
#include <string>

#include "api/context.h"
#include "auth/identity.h"
#include "common/error.h"
#include "http/message.h"
#include "store/audit.h"

namespace millrace::api {

std::optional<std::string> extract_token(const http::Request& req);

// Authenticates and applies the route-level scope check. `workspace` is the {w} of the URL
// (nullopt on global routes). 401 `Unauthorized` without a token; 401, 403 or 404 otherwise.
Result<auth::Identity> authorize(ApiContext& ctx, const http::Request& req,
                                 const std::optional<std::string>& workspace);

// The audit row shape shared by every handler.
struct AuditEntry {
  std::string operation;
  std::string action_kind;
  std::optional<std::string> resource;
  std::optional<std::string> parameters_json;
};
store::AuditRecord audit_record(ApiContext& ctx, const auth::Identity& who,
                                const std::string& workspace, AuditEntry entry);

Status require_admin(const auth::Identity& who);

// Non-admins write scripts and flows only under their own u/<username>/ (and in folders), as in
// Windmill.
Status may_write_path(const auth::Identity& who, const std::string& path);

}  // namespace millrace::api
