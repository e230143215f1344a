#include "api/owned_paths.h"

#include "api/path_access.h"
#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "auth/scopes.h"

namespace millrace::api {

Result<auth::Identity> authorize_read(ApiContext& ctx, const http::Request& req,
                                      const std::string& ws, const OwnedPath& kind,
                                      const std::string& path) {
  auto who = authorize(ctx, req, ws);
  if (!who) return who.error();
  if (!auth::scopes_allow_path(who->scopes, kind.domain, "read", path)) {
    return Error::permission_denied("Access denied. Required scope: " + kind.domain +
                                    ":read:" + path);
  }
  auto readable = may_read_path(ctx, *who, ws, path);
  if (!readable) return readable.error();
  if (!*readable) return Error::not_found(kind.noun + " " + path + " not found");
  return who;
}

Status check_write(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                   const OwnedPath& kind, const std::string& path) {
  if (!is_valid_script_path(path)) return invalid_path_error(path);
  if (!auth::scopes_allow_path(who.scopes, kind.domain, "write", path)) {
    return Error::permission_denied("Access denied. Required scope: " + kind.domain +
                                    ":write:" + path);
  }
  return may_write_path(ctx, who, ws, path);
}

Result<auth::Identity> authorize_write(ApiContext& ctx, const http::Request& req,
                                       const std::string& ws, const OwnedPath& kind,
                                       const std::string& path) {
  auto who = authorize(ctx, req, ws);
  if (!who) return who.error();
  MR_TRY(check_write(ctx, *who, ws, kind, path));
  return who;
}

void reply_exists(
    ApiContext& ctx, http::Request& req, http::ResponderPtr r, const OwnedPath& kind,
    const std::function<Result<bool>(const std::string& ws, const std::string& path)>& present) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_read(ctx, req, ws, kind, path);
  if (!who && who.error().kind != ErrorKind::NotFound) return reply_error(r, who.error());
  bool found = false;
  if (who) {
    auto there = present(ws, path);
    if (!there) return reply_error(r, there.error());
    found = *there;
  }
  reply_json(r, 200, found ? "true" : "false");
}

Result<store::PathListFilter> readable_list_filter(ApiContext& ctx, const http::Request& req,
                                                   const auth::Identity& who,
                                                   const std::string& ws) {
  auto page = paging(req);
  if (!page) return page.error();
  store::PathListFilter f;
  f.path_start = req.query_param("path_start");
  f.path_exact = req.query_param("path");
  f.limit = page->limit;
  f.offset = page->offset;
  auto readable = readable_prefixes(ctx, who, ws);
  if (!readable) return readable.error();
  f.visible_prefixes = std::move(*readable);
  return f;
}

}  // namespace millrace::api
