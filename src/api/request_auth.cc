#include "api/request_auth.h"

#include "api/replies.h"
#include "auth/authenticator.h"
#include "auth/scopes.h"
#include "common/strings.h"
#include "store/audit.h"
#include "store/users.h"

namespace millrace::api {

std::optional<RequestToken> request_token(const http::Request& req) {
  if (const std::string* h = req.header("authorization"); h && starts_with(*h, "Bearer ")) {
    return RequestToken{std::string(trim(h->substr(7))), TokenSource::kBearer};
  }
  // A token in the URL is given on purpose: it wins over the cookie a browser adds by itself.
  if (auto q = req.query_param("token"); q && !q->empty()) {
    return RequestToken{*q, TokenSource::kQuery};
  }
  if (auto c = req.cookie("token"); c && !c->empty()) return RequestToken{*c, TokenSource::kCookie};
  return std::nullopt;
}

namespace {

// Whether the request would change state or run a job.
bool acts(const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS") return true;
  return req.path.find("/jobs/run_wait_result/") != std::string::npos ||
         req.path.find("/jobs/run_and_stream/") != std::string::npos;
}

// Whether a cookie-only request comes from the app's own pages, as the browser says: every
// current browser sends Sec-Fetch-Site, and every browser an Origin with a cross-origin POST.
// A request with neither is not a browser's (the official CLI sends its dependency jobs with the
// cookie alone), and a browser never sends the Strict cookie from another site.
bool from_own_origin(ApiContext& ctx, const http::Request& req) {
  if (const std::string* site = req.header("sec-fetch-site")) return *site == "same-origin";
  const std::string* origin = req.header("origin");
  if (!origin) return true;
  if (*origin == "null") return false;
  std::string from = url_origin(*origin);
  if (from.empty()) return false;
  if (from == url_origin(ctx.base_url)) return true;
  // The server as the browser reached it.
  const std::string* host = req.header("host");
  return host && from.substr(from.find("://") + 3) == to_lower(*host);
}

}  // namespace

Status refuse_cross_site(ApiContext& ctx, const http::Request& req, const RequestToken& token) {
  if (token.source != TokenSource::kCookie || !acts(req) || from_own_origin(ctx, req)) {
    return Status::ok();
  }
  return Error::of(ErrorKind::Forbidden,
                   "cross-site request refused: a request authenticated only by the session "
                   "cookie must come from this app's own pages (send the token as "
                   "`Authorization: Bearer`)");
}

http::BodyAdmission admit_body(ApiContext& ctx, const http::Request& head) {
  if (starts_with(head.path, "/api/r/")) {
    // Third-party senders carry no token: a route that answers the call may be sent a body
    // (its authentication needs all of it, a signature is over the whole body).
    auto route = ctx.http_triggers.match(to_lower(head.method), head.path.substr(7));
    if (route && *route) return {};
    return {false, 404, "Not found: no HTTP route answers " + head.method + " " + head.path};
  }
  auto token = request_token(head);
  if (!token) return {false, 401, "Unauthorized"};
  // The workspace of the URL, for tokens bound to one.
  std::optional<std::string> workspace;
  if (starts_with(head.path, "/api/w/")) {
    workspace = head.path.substr(7, head.path.find('/', 7) - 7);
  }
  auto who = ctx.auth.authenticate(token->value, workspace);
  if (!who) return {false, http_status(who.error().kind), who.error().message};
  if (auto s = refuse_cross_site(ctx, head, *token); !s) {
    return {false, http_status(s.error().kind), s.error().message};
  }
  return {};
}

Result<auth::Identity> authorize(ApiContext& ctx, const http::Request& req,
                                 const std::optional<std::string>& workspace) {
  auto token = request_token(req);
  if (!token) return Error::of(ErrorKind::Unauthorized, "Unauthorized");
  auto who = ctx.auth.authenticate(token->value, workspace);
  if (!who) return who.error();
  if (!workspace && who->job_id && req.method != "GET") {
    return Error::unauthorized("Unauthorized");
  }
  MR_TRY(refuse_cross_site(ctx, req, *token));
  who->from_app = token->source == TokenSource::kCookie;
  if (!auth::is_unscoped(who->scopes) || who->read_only) {
    std::string_view api_path = std::string_view(req.path).substr(5);  // after "/api/"
    auto needed = auth::route_requirement(req.method, api_path);
    if (!needed) return needed.error();
    if (who->read_only && needed->action != "read") {
      return Error::permission_denied("Token is read-only. Mutating endpoints are not allowed.");
    }
    if (!auth::scopes_allow_route(who->scopes, *needed)) {
      return Error::permission_denied("Access denied. Required scope: " + needed->describe());
    }
  }
  if (workspace && who->super_admin) {
    // Members are known to exist; a superadmin may name any workspace, so check it is real.
    if (auto s = ctx.workspaces.check_exists(*workspace); !s) return s.error();
  }
  return who;
}

store::AuditRecord audit_record(ApiContext& ctx, const auth::Identity& who,
                                const std::string& workspace, AuditEntry e) {
  return service::audit_row(ctx.clock, who, workspace, std::move(e));
}

Status require_admin(const auth::Identity& who) {
  if (who.is_admin || who.super_admin) return Status::ok();
  return Error::of(ErrorKind::Forbidden, "Require Admin privileges for " + who.username);
}

queue::JobOrigin caller_origin(const auth::Identity& who, const std::string& workspace) {
  queue::JobOrigin o;
  o.workspace_id = workspace;
  o.created_by = who.display_name();
  o.permissioned_as = who.permissioned_as();
  o.email = who.email;
  if (!who.token_prefix.empty()) o.token_prefix = who.token_prefix;
  // What the app starts is the app's (its Run and Test buttons), not a webhook call.
  o.trigger = who.from_app ? TriggerKind::Ui : TriggerKind::Webhook;
  return o;
}

}  // namespace millrace::api
