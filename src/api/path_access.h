// The ownership rules of service/path_rights.h, as the API's handlers ask them.
#pragma once

#include "api/context.h"
#include "service/path_rights.h"

namespace millrace::api {

using service::folder_rights;
using service::PathRights;

inline Result<PathRights> path_rights(ApiContext& ctx, const auth::Identity& who,
                                      const std::string& ws, const std::string& path) {
  return service::path_rights(ctx.folders, who, ws, path);
}
inline Result<std::optional<std::vector<std::string>>> readable_prefixes(ApiContext& ctx,
                                                                         const auth::Identity& who,
                                                                         const std::string& ws) {
  return service::readable_prefixes(ctx.folders, who, ws);
}
inline Result<bool> may_read_path(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                                  const std::string& path) {
  return service::may_read_path(ctx.folders, who, ws, path);
}
inline Status may_write_path(ApiContext& ctx, const auth::Identity& who, const std::string& ws,
                             const std::string& path) {
  return service::may_write_path(ctx.folders, who, ws, path);
}

}  // namespace millrace::api
