// Paths and scopes: script and flow paths, token scopes and the routes they grant, and the URL
// pieces the trust checks read (encoded paths, origins, emails).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "api/paths.h"
#include "auth/scopes.h"
#include "common/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  // Up to the first newline: a scope (or a comma list of them); the rest: a path.
  auto nl = input.find('\n');
  std::string scope = input.substr(0, nl);
  std::string path = nl == std::string::npos ? input : input.substr(nl + 1);
  std::vector<std::string> scopes = millrace::split(scope, ',');
  (void)millrace::auth::parse_scope(scope);
  (void)millrace::auth::is_unscoped(scopes);
  (void)millrace::auth::scopes_read_all_jobs(scopes);
  for (const char* method : {"GET", "POST", "HEAD", "DELETE"}) {
    auto req = millrace::auth::route_requirement(method, path);
    if (req) (void)millrace::auth::scopes_allow_route(scopes, *req);
  }
  (void)millrace::auth::scopes_allow_run(scopes, "scripts", path);
  (void)millrace::auth::resource_matches(scope, path);
  (void)millrace::api::is_valid_script_path(path);
  (void)millrace::api::is_valid_workspace_id(path);
  (void)millrace::api::is_valid_script_hash(path);
  std::string decoded;
  (void)millrace::url_decode_path(path, decoded);
  (void)millrace::url_decode(path, decoded, true);
  (void)millrace::url_origin(path);
  (void)millrace::is_valid_email(path);
  (void)millrace::parse_int64(path);
  return 0;
}
