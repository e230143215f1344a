// Who sent a request, and may they call this route: the token is taken from
// `Authorization: Bearer`, else `?token=`, else the `token` cookie (Windmill puts the
// cookie before the query; a token in the URL is given on purpose, the cookie by the browser).
#pragma once

#include <optional>
#include <string>

#include "api/context.h"
#include "auth/identity.h"
#include "common/error.h"
#include "http/message.h"
#include "queue/new_job.h"
#include "service/audit_entry.h"
#include "store/audit.h"

namespace millrace::api {

enum class TokenSource { kBearer, kCookie, kQuery };
struct RequestToken {
  std::string value;
  TokenSource source;
};
std::optional<RequestToken> request_token(const http::Request& req);

// A request authenticated by the session cookie alone (a browser sends it whoever made the
// page) may change state or run a job (any method but GET, HEAD and OPTIONS, and the GET sync
// and stream webhooks) only from the app's own origin: `Sec-Fetch-Site: same-origin`, else an
// `Origin` that is the server's, else neither (not a browser: the official CLI sends some calls
// with the cookie alone). Otherwise 403 `cross-site request refused`. Bearer and ?token=
// callers are never refused here: webhooks come from anywhere.
Status refuse_cross_site(ApiContext& ctx, const http::Request& req, const RequestToken& token);

// Whether a request may send a large body (http::ServerOptions::admit_body): only once its
// token authenticates (and, cookie-only, from the app's origin); 401 otherwise, before a byte
// of it is read.
http::BodyAdmission admit_body(ApiContext& ctx, const http::Request& head);

// Authenticates and applies the route-level scope check. `workspace` is the {w} of the URL
// (nullopt on global routes). 401 `Unauthorized` without a token; 401, 403 or 404 otherwise
// (403 for a cookie-only request from another origin, above).
Result<auth::Identity> authorize(ApiContext& ctx, const http::Request& req,
                                 const std::optional<std::string>& workspace);

// The audit row of what `who` does (the handlers whose resource has no service yet).
using service::AuditEntry;
store::AuditRecord audit_record(ApiContext& ctx, const auth::Identity& who,
                                const std::string& workspace, AuditEntry entry);

Status require_admin(const auth::Identity& who);

// A job `who` starts in `workspace` through the API (a webhook, the app, the CLI).
queue::JobOrigin caller_origin(const auth::Identity& who, const std::string& workspace);

}  // namespace millrace::api
