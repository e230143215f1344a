#include "service/http_triggers.h"

#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/http_deliveries.h"
#include "triggers/route_table.h"

namespace millrace::service {
namespace {

Error not_found(const std::string& path) {
  return Error::not_found("http trigger not found at path " + path);
}

// 400 when `t` would answer the requests of another route of the instance.
std::string route_id(const store::HttpTriggerRecord& t) {
  return t.workspace_id + "\n" + t.path;
}

std::string route_key(const store::HttpTriggerRecord& t) {
  return t.http_method + " " + HttpTriggers::pattern(t);
}

Status check_collisions(store::Connection& c, const store::HttpTriggerRecord& t,
                        const std::optional<std::string>& old_path) {
  auto all = store::all_http_triggers(c);
  if (!all) return all.error();
  triggers::RouteTable table;
  for (const auto& other : *all) {
    if (other.workspace_id == t.workspace_id && old_path && other.path == *old_path) continue;
    MR_TRY(table.add(route_id(other), other.http_method, HttpTriggers::pattern(other)));
  }
  return table.add(route_id(t), t.http_method, HttpTriggers::pattern(t));
}

}  // namespace

std::string HttpTriggers::pattern(const store::HttpTriggerRecord& t) {
  return t.workspaced_route ? t.workspace_id + "/" + t.route_path : t.route_path;
}

Status HttpTriggers::save(const auth::Identity& who, store::HttpTriggerRecord t,
                          const std::optional<std::string>& old_path) {
  t.edited_by = who.username;
  t.email = who.email;
  t.edited_at = clock_.now_ms();
  auto saved = db_.write_sync([&](store::Connection& c) -> Status {
    if (old_path) {
      auto existing = store::find_http_trigger(c, t.workspace_id, *old_path);
      if (!existing) return existing.error();
      if (!*existing) return not_found(*old_path);
    }
    if (!old_path || *old_path != t.path) {
      auto taken = store::find_http_trigger(c, t.workspace_id, t.path);
      if (!taken) return taken.error();
      if (*taken) return Error::bad_request("http trigger already exists at path " + t.path);
    }
    MR_TRY(check_collisions(c, t, old_path));
    MR_TRY(old_path ? store::update_http_trigger(c, *old_path, t)
                    : store::insert_http_trigger(c, t));
    if (old_path && *old_path != t.path) {
      MR_TRY(store::move_http_deliveries(c, t.workspace_id, *old_path, t.path));
    }
    nlohmann::json params = {{"route_path", t.route_path}, {"http_method", t.http_method}};
    if (old_path && *old_path != t.path) params["moved_from"] = *old_path;
    return store::insert_audit(
        c, audit_row(clock_, who, t.workspace_id,
                     {old_path ? "http_triggers.update" : "http_triggers.create",
                      old_path ? "Update" : "Create", t.path, params.dump()}));
  });
  if (saved) {
    std::lock_guard lock(live_mutex_);
    live_stale_ = true;
  }
  return saved;
}

Status HttpTriggers::remove(const auth::Identity& who, const std::string& ws,
                            const std::string& path) {
  auto removed = db_.write_sync([&](store::Connection& c) -> Status {
    auto n = store::delete_http_trigger(c, ws, path);
    if (!n) return n.error();
    if (*n == 0) return not_found(path);
    MR_TRY(store::delete_http_deliveries(c, ws, path));
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"http_triggers.delete", "Delete", path, {}}));
  });
  if (removed) {
    std::lock_guard lock(live_mutex_);
    live_stale_ = true;
  }
  return removed;
}

Status HttpTriggers::reload_routes() {
  auto all = db_.read([](store::Connection& c) { return store::all_http_triggers(c); });
  if (!all) return all.error();
  triggers::RouteTable table;
  std::map<std::string, std::string> patterns;
  for (const auto& t : *all) {
    // Two nodes saving colliding routes at once may both succeed: the one read first answers.
    if (!table.add(route_id(t), t.http_method, pattern(t))) continue;
    patterns[route_id(t)] = route_key(t);
  }
  live_ = std::move(table);
  live_patterns_ = std::move(patterns);
  live_read_at_ = clock_.now_ms();
  live_stale_ = false;
  return Status::ok();
}

Result<std::optional<HttpTriggers::RouteMatch>> HttpTriggers::match(std::string_view method,
                                                                    std::string_view route) {
  constexpr EpochMs kMissRereadMs = 1000;
  bool reread = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::optional<triggers::RouteTable::Match> m;
    std::string key;
    {
      std::lock_guard lock(live_mutex_);
      if (live_stale_ || reread) MR_TRY(reload_routes());
      m = live_.match(method, route);
      if (!m) {
        if (reread || clock_.now_ms() - live_read_at_ < kMissRereadMs)
          return std::optional<RouteMatch>();
        reread = true;
        continue;
      }
      key = live_patterns_[m->id];
    }
    size_t nl = m->id.find('\n');
    auto found = find(m->id.substr(0, nl), m->id.substr(nl + 1));
    if (!found) return found.error();
    if (*found && route_key(**found) == key) {
      return std::optional<RouteMatch>(RouteMatch{std::move(**found), std::move(m->params)});
    }
    reread = true;  // changed or deleted since it was read: read them all again
  }
  return std::optional<RouteMatch>();
}

Result<std::optional<store::HttpTriggerRecord>> HttpTriggers::find(const std::string& ws,
                                                                   const std::string& path) {
  return db_.read([&](store::Connection& c) { return store::find_http_trigger(c, ws, path); });
}

Result<std::vector<store::HttpTriggerRecord>> HttpTriggers::list(
    const std::string& ws, const store::PathListFilter& filter) {
  return db_.read([&](store::Connection& c) { return store::list_http_triggers(c, ws, filter); });
}

Result<bool> HttpTriggers::route_taken(const std::string& ws, const std::string& method,
                                       const std::string& route_path, bool workspaced,
                                       const std::optional<std::string>& except) {
  store::HttpTriggerRecord candidate;
  candidate.workspace_id = ws;
  candidate.path = except.value_or("");
  candidate.http_method = method;
  candidate.route_path = route_path;
  candidate.workspaced_route = workspaced;
  MR_TRY(triggers::RouteTable::check_route_path(route_path));
  return db_.read([&](store::Connection& c) -> Result<bool> {
    // The route is well formed: adding it fails only when it collides.
    return !check_collisions(c, candidate, except);
  });
}

}  // namespace millrace::service
