// The checks of every route on one owned path (a variable, a resource): the caller's token, the
// path's form, the token's scope for that path (`variables:read:f/team/*`), and the caller's
// rights there (service/path_rights.h).
#pragma once

#include <functional>
#include <string>

#include "api/context.h"
#include "auth/identity.h"
#include "http/message.h"
#include "store/secret_store.h"

namespace millrace::api {

struct OwnedPath {
  std::string domain;  // variables | resources
  std::string noun;    // Variable | Resource: "Variable <path> not found"
};

// 404 "<noun> <path> not found" when the caller may not read it (as if absent).
Result<auth::Identity> authorize_read(ApiContext& ctx, const http::Request& req,
                                      const std::string& ws, const OwnedPath& kind,
                                      const std::string& path);
// 403 with the reason when the caller may not write there; 400 for a malformed path.
Result<auth::Identity> authorize_write(ApiContext& ctx, const http::Request& req,
                                       const std::string& ws, const OwnedPath& kind,
                                       const std::string& path);
// For a route that names its path in the body (create): the checks of authorize_write once the
// caller is known.
Status check_write(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                   const OwnedPath& kind, const std::string& path);

// An exists/{path} route: `true` when something the caller may read is at the path (`false`,
// not 404, when the caller may not read it). `present` looks.
void reply_exists(
    ApiContext& ctx, http::Request& req, http::ResponderPtr r, const OwnedPath& kind,
    const std::function<Result<bool>(const std::string& ws, const std::string& path)>& present);

// A list route's filter: `path` and `path_start` from the query, the page, and the prefixes the
// caller may read.
Result<store::PathListFilter> readable_list_filter(ApiContext& ctx, const http::Request& req,
                                                   const auth::Identity& who,
                                                   const std::string& ws);

}  // namespace millrace::api
