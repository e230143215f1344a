#include "auth/scopes.h"

#include <algorithm>
#include <array>

#include "common/strings.h"

namespace millrace::auth {
namespace {

constexpr std::array<std::string_view, 22> kDomains = {
    "jobs",          "scripts",   "flows",   "users",  "workspaces", "audit",  "apps", "resources",
    "variables",     "schedules", "folders", "groups", "settings",   "tokens", "auth", "raw_apps",
    "http_triggers", "configs",   "workers", "oauth",  "inputs",     "capture"};

bool action_covers(std::string_view granted, std::string_view required) {
  if (granted == "*" || granted == required) return true;
  return required == "read" && granted == "write";
}

// Which of the run prefixes a path below /api/w/<ws>/ carries, and the kind it runs.
std::optional<std::string> run_kind(std::string_view rest) {
  static const std::array<std::pair<std::string_view, std::string_view>, 16> kRunPrefixes = {{
      {"jobs/run/p/", "scripts"},
      {"jobs/run/h/", "scripts"},
      {"jobs/run/f/", "flows"},
      {"jobs/run/fv/", "flows"},
      {"jobs/run_wait_result/p/", "scripts"},
      {"jobs/run_wait_result/h/", "scripts"},
      {"jobs/run_wait_result/f/", "flows"},
      {"jobs/run_wait_result/fv/", "flows"},
      {"jobs/run_and_stream/p/", "scripts"},
      {"jobs/run_and_stream/h/", "scripts"},
      {"jobs/run_and_stream/f/", "flows"},
      {"jobs/run_and_stream/fv/", "flows"},
      {"jobs/run/preview_flow", "flows"},  // before the script previews' shorter prefix
      {"jobs/run_wait_result/preview_flow", "flows"},
      {"jobs/run/preview", "scripts"},
      {"jobs/run_wait_result/preview", "scripts"},
  }};
  for (const auto& [prefix, kind] : kRunPrefixes) {
    if (starts_with(rest, prefix)) return std::string(kind);
  }
  return std::nullopt;
}

bool on_own_job(std::string_view method, std::string_view rest) {
  static const std::array<std::string_view, 10> kReading = {
      "jobs_u/get/",           "jobs_u/getupdate/",     "jobs_u/completed/get_result/",
      "jobs_u/completed/get/", "jobs/completed/get/",   "jobs_u/completed/get_result_maybe/",
      "jobs_u/get_logs/",      "jobs_u/getupdate_sse/", "jobs/completed/get_result/",
      "jobs/resume_urls/"};
  static const std::array<std::string_view, 2> kCanceling = {"jobs_u/queue/cancel/",
                                                             "jobs/queue/cancel/"};
  auto any = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](std::string_view p) { return starts_with(rest, p); });
  };
  return method == "POST" ? any(kCanceling) : any(kReading);
}

}  // namespace

std::optional<Scope> parse_scope(std::string_view text) {
  std::string t(trim(text));
  if (t.empty()) return std::nullopt;
  if (t == "*") return Scope{"*", "*", "", {}};
  if (starts_with(t, "run:script/"))
    t.replace(0, 11, "jobs:run:scripts:");
  else if (starts_with(t, "run:flow/"))
    t.replace(0, 9, "jobs:run:flows:");
  else if (t == "jobs:runscript")
    t = "jobs:run:scripts";
  else if (t == "jobs:runflow")
    t = "jobs:run:flows";
  else if (t == "jobs:listjobs")
    t = "jobs:read";
  else if (t == "jobs:deletejob")
    t = "jobs:write";

  Scope s;
  size_t colon = t.find(':');
  s.domain = t.substr(0, colon);
  if (s.domain.empty()) return std::nullopt;
  if (colon == std::string::npos) {
    s.action = "*";
    return s;
  }
  std::string rest = t.substr(colon + 1);
  colon = rest.find(':');
  s.action = rest.substr(0, colon);
  if (s.action == "delete") s.action = "write";
  if (s.action != "read" && s.action != "write" && s.action != "run" && s.action != "*") {
    return std::nullopt;
  }
  std::string resources = colon == std::string::npos ? "" : rest.substr(colon + 1);
  if (s.domain == "jobs" && s.action == "run" && !resources.empty()) {
    colon = resources.find(':');
    s.kind = resources.substr(0, colon);
    if (s.kind != "scripts" && s.kind != "flows") return std::nullopt;
    resources = colon == std::string::npos ? "" : resources.substr(colon + 1);
  }
  if (!resources.empty()) {
    for (auto& r : split(resources, ',')) {
      if (!trim(r).empty()) s.resources.emplace_back(trim(r));
    }
  }
  return s;
}

bool is_unscoped(const std::vector<std::string>& scopes) {
  return std::all_of(scopes.begin(), scopes.end(),
                     [](const std::string& s) { return starts_with(s, "if_jobs:filter_tags:"); });
}

std::string RouteRequirement::describe() const {
  return domain + ":" + action + (kind.empty() ? "" : ":" + kind);
}

Result<RouteRequirement> route_requirement(std::string_view method, std::string_view api_path) {
  std::string_view rest = api_path;
  if (starts_with(rest, "w/")) {
    rest.remove_prefix(2);
    auto slash = rest.find('/');
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  RouteRequirement req;
  req.domain = std::string(rest.substr(0, rest.find('/')));
  if (req.domain == "jobs_u" || req.domain == "job_metrics") req.domain = "jobs";
  if (std::find(kDomains.begin(), kDomains.end(), req.domain) == kDomains.end()) {
    return Error::bad_request("Could not extract domain from route");
  }
  if (auto kind = run_kind(rest)) {
    req.action = "run";
    req.kind = *kind;
  } else if (method == "GET" || method == "HEAD" || method == "OPTIONS") {
    req.action = "read";
  } else {
    req.action = "write";
  }
  req.on_own_job = on_own_job(method == "HEAD" ? "GET" : method, rest);
  return req;
}

bool scopes_allow_route(const std::vector<std::string>& scopes, const RouteRequirement& req) {
  if (is_unscoped(scopes)) return true;
  for (const auto& text : scopes) {
    auto s = parse_scope(text);
    if (!s) continue;
    if (s->domain == "*") return true;
    if (s->domain != req.domain) continue;
    if (req.action == "run") {
      if ((s->action == "run" || s->action == "*") && (s->kind.empty() || s->kind == req.kind)) {
        return true;
      }
      continue;
    }
    if (action_covers(s->action, req.action)) return true;
    if (req.on_own_job && s->domain == "jobs" && s->action == "run") return true;
  }
  return false;
}

bool scopes_read_all_jobs(const std::vector<std::string>& scopes) {
  if (is_unscoped(scopes)) return true;
  for (const auto& text : scopes) {
    auto s = parse_scope(text);
    if (s && (s->domain == "*" || (s->domain == "jobs" && s->action != "run"))) return true;
  }
  return false;
}

namespace {

// Whether a run scope of `kind` grants it: one without resources, or one whose resource
// `covers` says yes to.
template <typename Covers>
bool run_scope_grants(const std::vector<std::string>& scopes, std::string_view kind,
                      Covers covers) {
  if (is_unscoped(scopes)) return true;
  for (const auto& text : scopes) {
    auto s = parse_scope(text);
    if (!s) continue;
    if (s->domain == "*") return true;
    if (s->domain != "jobs" || (s->action != "run" && s->action != "*")) continue;
    if (!s->kind.empty() && s->kind != kind) continue;
    if (s->resources.empty()) return true;
    for (const auto& r : s->resources) {
      if (covers(r)) return true;
    }
  }
  return false;
}

}  // namespace

bool scopes_allow_run(const std::vector<std::string>& scopes, std::string_view kind,
                      std::string_view path) {
  return run_scope_grants(scopes, kind,
                          [&](const std::string& r) { return resource_matches(r, path); });
}

bool scopes_allow_any_run(const std::vector<std::string>& scopes, std::string_view kind) {
  return run_scope_grants(scopes, kind, [](const std::string& r) { return r == "*"; });
}

bool scopes_allow_path(const std::vector<std::string>& scopes, std::string_view domain,
                       std::string_view action, std::string_view path) {
  if (is_unscoped(scopes)) return true;
  for (const auto& text : scopes) {
    auto s = parse_scope(text);
    if (!s) continue;
    if (s->domain == "*") return true;
    if (s->domain != domain || !action_covers(s->action, std::string(action))) continue;
    if (s->resources.empty()) return true;
    for (const auto& r : s->resources) {
      if (resource_matches(r, path)) return true;
    }
  }
  return false;
}

bool resource_matches(std::string_view pattern, std::string_view path) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == "/*") {
    std::string_view prefix = pattern.substr(0, pattern.size() - 2);
    if (path == prefix) return true;
    return path.size() > prefix.size() && starts_with(path, prefix) && path[prefix.size()] == '/';
  }
  return pattern == path;
}

}  // namespace millrace::auth
