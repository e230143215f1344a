// HTTP routes (Windmill's http_triggers): saved at a path of a workspace like scripts, each a
// method and a route that no other route of the instance may also answer (a workspaced route
// is `<workspace>/<route>`, so two workspaces may each have theirs). Writes are audited in their
// transaction, and the collision check is in it too. Ownership is the caller's check.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/http_triggers.h"
#include "triggers/route_table.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

class HttpTriggers {
 public:
  HttpTriggers(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // A new route (400 when its path is taken or its route collides), or, with `old_path`, the
  // route there changed (404 when there is none; it may move to a free path).
  Status save(const auth::Identity& who, store::HttpTriggerRecord t,
              const std::optional<std::string>& old_path);
  Status remove(const auth::Identity& who, const std::string& ws, const std::string& path);
  Result<std::optional<store::HttpTriggerRecord>> find(const std::string& ws,
                                                       const std::string& path);
  Result<std::vector<store::HttpTriggerRecord>> list(const std::string& ws,
                                                     const store::PathListFilter& filter);
  // Whether a route of the instance other than `except` (a path of `ws`) already answers
  // `method` at `route_path` (workspaced: in `ws`).
  Result<bool> route_taken(const std::string& ws, const std::string& method,
                           const std::string& route_path, bool workspaced,
                           const std::optional<std::string>& except);

  struct RouteMatch {
    store::HttpTriggerRecord trigger;
    std::vector<std::pair<std::string, std::string>> params;  // the route's :names
  };
  // The route that answers `method` (lower case) at `route` (the path after /api/r/). Matched
  // in memory against the routes as last read, then read back from the database: a route
  // changed or deleted on another node is never run as it was, and one made there is found
  // within a second (a miss reads them all again, at most once a second).
  Result<std::optional<RouteMatch>> match(std::string_view method, std::string_view route);

  // The pattern a route is matched by: `<workspace>/<route>` when workspaced.
  static std::string pattern(const store::HttpTriggerRecord& t);

 private:
  // Reads every route into the table; the caller holds live_mutex_.
  Status reload_routes();

  store::Database& db_;
  const Clock& clock_;
  std::mutex live_mutex_;
  triggers::RouteTable live_;
  std::map<std::string, std::string> live_patterns_;  // id → "<method> <pattern>"
  EpochMs live_read_at_ = 0;
  bool live_stale_ = true;  // set by this node's writes
};

}  // namespace millrace::service
