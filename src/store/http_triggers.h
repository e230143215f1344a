// HTTP routes (Windmill's http_triggers): a route of a workspace, at a path of its own, that runs
// a script or a flow when /api/r/<route> is called. What the server matches on (method, route,
// whether the workspace is part of it) has columns; the rest of its settings are kept as one
// JSON object, as the API shows them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/secret_store.h"

namespace millrace::store {

class Connection;

struct HttpTriggerRecord {
  std::string workspace_id;
  std::string path;
  std::string http_method;  // get, post, put, delete, patch
  std::string route_path;
  bool workspaced_route = false;
  std::string config_json;  // every other setting (script_path, authentication_method, ...)
  std::string email;        // whose rights its jobs run with
  std::string edited_by;
  EpochMs edited_at = 0;
};

Result<std::optional<HttpTriggerRecord>> find_http_trigger(Connection& c, const std::string& ws,
                                                           const std::string& path);
// By path; `resource_type` filters of the filter are not used.
Result<std::vector<HttpTriggerRecord>> list_http_triggers(Connection& c, const std::string& ws,
                                                          const PathListFilter& f);
// Every route of every workspace (what a new route may not collide with).
Result<std::vector<HttpTriggerRecord>> all_http_triggers(Connection& c);
Status insert_http_trigger(Connection& c, const HttpTriggerRecord& t);
// Every field of the row at (t.workspace_id, old_path), the path included.
Status update_http_trigger(Connection& c, const std::string& old_path, const HttpTriggerRecord& t);
Result<int64_t> delete_http_trigger(Connection& c, const std::string& ws, const std::string& path);

}  // namespace millrace::store
