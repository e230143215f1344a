// Token scopes, as Windmill spells them: `domain:action[:resources]`, and for
// running jobs `jobs:run[:scripts|flows[:resources]]`. Resources are a comma list of exact
// paths, `prefix/*` wildcards, or `*`. A token with no scopes has its owner's full rights.
// Pure functions: no I/O, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace millrace::auth {

struct Scope {
  std::string domain;                  // jobs, scripts, ... or * for everything
  std::string action;                  // read, write, run, or * ; delete is stored as write
  std::string kind;                    // scripts | flows, only for jobs:run; empty = any
  std::vector<std::string> resources;  // empty = any
};

// Parses one scope, translating legacy forms (run:script/<path>, jobs:runscript, ...).
// `run` does not imply `read`: a token that may run a script reads only the jobs it started.
std::optional<Scope> parse_scope(std::string_view text);
// True when the list grants the owner's full rights (null/empty, or only tag filters).
bool is_unscoped(const std::vector<std::string>& scopes);

// What a route requires of a scoped token, derived from its method and its path below /api/.
struct RouteRequirement {
  std::string domain;
  std::string action;  // read | write | run
  std::string kind;    // scripts | flows when action is run
  // A route on one job (its status, result, logs, resume URLs, cancel) that a token scoped to
  // running scripts or flows may use for the jobs it started (the handler checks which).
  bool on_own_job = false;
  std::string describe() const;  // domain:action[:kind], as shown in the 403
};
// Fails with 400 `Could not extract domain from route` for an unknown first segment.
Result<RouteRequirement> route_requirement(std::string_view method, std::string_view api_path);

bool scopes_allow_route(const std::vector<std::string>& scopes, const RouteRequirement& req);
// Whether the scopes read any job of the workspace (unscoped, `jobs:read`, `jobs:write`, `*`),
// rather than only those their token started (run scopes).
bool scopes_read_all_jobs(const std::vector<std::string>& scopes);
// Handler-level check: may these scopes run the script (kind "scripts") or flow at `path`?
bool scopes_allow_run(const std::vector<std::string>& scopes, std::string_view kind,
                      std::string_view path);
// Whether these scopes run anything of the kind, whatever its path (unsaved code has none):
// unscoped, `*`, `jobs:run`, `jobs:run:<kind>` or `jobs:run:<kind>:*`.
bool scopes_allow_any_run(const std::vector<std::string>& scopes, std::string_view kind);
// Handler-level check of a path-scoped domain (variables, resources): may these scopes do
// `action` (read | write) on `path`? `variables:read:f/team/*` reads only below f/team.
bool scopes_allow_path(const std::vector<std::string>& scopes, std::string_view domain,
                       std::string_view action, std::string_view path);
// Matches one resource pattern: exact, `prefix/*` (prefix itself and below, by segment), `*`.
bool resource_matches(std::string_view pattern, std::string_view path);

}  // namespace millrace::auth
