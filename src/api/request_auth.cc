#include "api/request_auth.h"

#include "auth/authenticator.h"
#include "auth/scopes.h"
#include "common/strings.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/users.h"

namespace millrace::api {

std::optional<std::string> extract_token(const http::Request& req) {
  if (const std::string* h = req.header("authorization"); h && starts_with(*h, "Bearer ")) {
    return std::string(trim(h->substr(7)));
  }
  if (auto c = req.cookie("token"); c && !c->empty()) return c;
  if (auto q = req.query_param("token"); q && !q->empty()) return q;
  return std::nullopt;
}

Result<auth::Identity> authorize(ApiContext& ctx, const http::Request& req,
                                 const std::optional<std::string>& workspace) {
  auto token = extract_token(req);
  if (!token) return Error::plain(401, "Unauthorized");
  auto who = ctx.auth.authenticate(*token, workspace);
  if (!who) return who.error();
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
  store::AuditRecord a;
  a.workspace_id = workspace;
  a.timestamp = ctx.clock.now_ms();
  a.username = who.display_name();
  a.email = who.email;
  a.operation = std::move(e.operation);
  a.action_kind = std::move(e.action_kind);
  a.resource = std::move(e.resource);
  a.parameters_json = std::move(e.parameters_json);
  if (!who.token_prefix.empty()) a.token_prefix = who.token_prefix;
  return a;
}

Status require_admin(const auth::Identity& who) {
  if (who.is_admin || who.super_admin) return Status::ok();
  return Error::plain(403, "Require Admin privileges for " + who.username);
}

Status may_write_path(const auth::Identity& who, const std::string& path) {
  if (who.is_admin || who.super_admin || path[0] != 'u') return Status::ok();
  if (path.rfind("u/" + who.username + "/", 0) == 0) return Status::ok();
  return Error::permission_denied("only " + path.substr(2, path.find('/', 2) - 2) +
                                  " or an admin may write at " + path);
}

}  // namespace millrace::api
