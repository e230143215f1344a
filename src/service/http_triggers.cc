#include "service/http_triggers.h"

#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/audit.h"
#include "store/database.h"
#include "triggers/route_table.h"

namespace millrace::service {
namespace {

Error not_found(const std::string& path) {
  return Error::not_found("http trigger not found at path " + path);
}

// 400 when `t` would answer the requests of another route of the instance.
Status check_collisions(store::Connection& c, const store::HttpTriggerRecord& t,
                        const std::optional<std::string>& old_path) {
  auto all = store::all_http_triggers(c);
  if (!all) return all.error();
  triggers::RouteTable table;
  for (const auto& other : *all) {
    if (other.workspace_id == t.workspace_id && old_path && other.path == *old_path) continue;
    MR_TRY(table.add(other.workspace_id + "\n" + other.path, other.http_method,
                     HttpTriggers::pattern(other)));
  }
  return table.add(t.workspace_id + "\n" + t.path, t.http_method, HttpTriggers::pattern(t));
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
  return db_.write_sync([&](store::Connection& c) -> Status {
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
    nlohmann::json params = {{"route_path", t.route_path}, {"http_method", t.http_method}};
    if (old_path && *old_path != t.path) params["moved_from"] = *old_path;
    return store::insert_audit(
        c, audit_row(clock_, who, t.workspace_id,
                     {old_path ? "http_triggers.update" : "http_triggers.create",
                      old_path ? "Update" : "Create", t.path, params.dump()}));
  });
}

Status HttpTriggers::remove(const auth::Identity& who, const std::string& ws,
                            const std::string& path) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto removed = store::delete_http_trigger(c, ws, path);
    if (!removed) return removed.error();
    if (*removed == 0) return not_found(path);
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"http_triggers.delete", "Delete", path, {}}));
  });
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
