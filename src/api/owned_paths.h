// The checks of every route on one owned path (a variable, a resource): the caller's token, the
// path's form, the token's scope for that path (`variables:read:f/team/*`), and the caller's
// rights there (service/path_rights.h).
#pragma once

#include <string>

#include "api/context.h"
#include "auth/identity.h"
#include "http/message.h"

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

}  // namespace millrace::api
