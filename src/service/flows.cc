#include "service/flows.h"

#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/database.h"

namespace millrace::service {

using nlohmann::json;

Error flow_not_found(const std::string& path) {
  return Error::not_found("Flow not found at path " + path);
}

Status Flows::save(const auth::Identity& who, store::FlowRecord& f,
                   const std::optional<std::string>& old_path,
                   const std::optional<std::string>& deployment_msg) {
  const std::string ws = f.workspace_id;
  f.edited_by = who.username;
  f.edited_at = clock_.now_ms();
  const bool renamed = old_path && *old_path != f.path;
  return db_.write_sync([&](store::Connection& c) -> Status {
    if (old_path) {
      auto existing = store::find_flow(c, ws, *old_path);
      if (!existing) return existing.error();
      if (!*existing) return flow_not_found(*old_path);
    }
    if (!old_path || renamed) {
      auto taken = store::find_flow(c, ws, f.path);
      if (!taken) return taken.error();
      if (*taken) return Error::bad_request("Flow " + f.path + " already exists");
    }
    MR_TRY(store::save_flow(c, f, old_path, deployment_msg));
    json params = {{"version", f.version_id}};
    if (renamed) params["renamed_from"] = *old_path;
    return store::insert_audit(
        c, audit_row(clock_, who, ws,
                     {old_path ? "flows.update" : "flows.create", old_path ? "Update" : "Create",
                      f.path, params.dump()}));
  });
}

Status Flows::set_archived(const auth::Identity& who, const std::string& ws,
                           const std::string& path, bool archived) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto changed = store::set_flow_archived(c, ws, path, archived);
    if (!changed) return changed.error();
    if (*changed == 0) return flow_not_found(path);
    return store::insert_audit(
        c, audit_row(clock_, who, ws,
                     {"flows.archive", "Update", path, json{{"archived", archived}}.dump()}));
  });
}

Status Flows::remove(const auth::Identity& who, const std::string& ws, const std::string& path) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto removed = store::delete_flow(c, ws, path);
    if (!removed) return removed.error();
    if (*removed == 0) return flow_not_found(path);
    return store::insert_audit(c, audit_row(clock_, who, ws, {"flows.delete", "Delete", path, {}}));
  });
}

Result<std::optional<store::FlowRecord>> Flows::find(const std::string& ws,
                                                     const std::string& path) {
  return db_.read([&](store::Connection& c) { return store::find_flow(c, ws, path); });
}

Result<std::optional<store::FlowRecord>> Flows::find_version(const std::string& ws,
                                                             int64_t version) {
  return db_.read([&](store::Connection& c) { return store::find_flow_version(c, ws, version); });
}

Result<std::vector<store::FlowRecord>> Flows::list(const std::string& ws,
                                                   const store::FlowListFilter& filter) {
  return db_.read([&](store::Connection& c) { return store::list_flows(c, ws, filter); });
}

Result<std::vector<store::FlowVersionInfo>> Flows::history(const std::string& ws,
                                                           const std::string& path) {
  return db_.read([&](store::Connection& c) { return store::flow_history(c, ws, path); });
}

}  // namespace millrace::service
