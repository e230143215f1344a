#include "service/resources.h"

#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/audit.h"
#include "store/database.h"

namespace millrace::service {
namespace {

Error not_found(const std::string& path) {
  return Error::not_found("Resource " + path + " not found");
}

std::optional<std::string> moved_to(const std::string& from, const std::string& to) {
  if (from == to) return std::nullopt;
  return nlohmann::json{{"path", to}}.dump();
}

}  // namespace

Status Resources::create(const auth::Identity& who, store::ResourceRecord r,
                         bool update_if_exists) {
  r.created_by = who.username;
  r.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_resource(c, r.workspace_id, r.path);
    if (!existing) return existing.error();
    if (*existing && !update_if_exists) {
      return Error::bad_request("Resource " + r.path + " already exists");
    }
    if (*existing) {
      r.created_by = (*existing)->created_by;
      MR_TRY(store::update_resource(c, r.path, r));
    } else {
      MR_TRY(store::insert_resource(c, r));
    }
    return store::insert_audit(c, audit_row(clock_, who, r.workspace_id,
                                            {*existing ? "resources.update" : "resources.create",
                                             *existing ? "Update" : "Create",
                                             r.path,
                                             {}}));
  });
}

Status Resources::update(const auth::Identity& who, const std::string& ws, const std::string& path,
                         const Change& change) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_resource(c, ws, path);
    if (!existing) return existing.error();
    if (!*existing) return not_found(path);
    store::ResourceRecord r = **existing;
    if (change.path) r.path = *change.path;
    if (change.value_json) r.value_json = *change.value_json;
    if (change.description) r.description = *change.description;
    if (change.resource_type) r.resource_type = *change.resource_type;
    r.edited_at = clock_.now_ms();
    if (r.path != path) {
      auto taken = store::find_resource(c, ws, r.path);
      if (!taken) return taken.error();
      if (*taken) return Error::bad_request("Resource " + r.path + " already exists");
    }
    MR_TRY(store::update_resource(c, path, r));
    return store::insert_audit(
        c,
        audit_row(clock_, who, ws, {"resources.update", "Update", path, moved_to(path, r.path)}));
  });
}

Status Resources::remove(const auth::Identity& who, const std::string& ws,
                         const std::string& path) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto removed = store::delete_resource(c, ws, path);
    if (!removed) return removed.error();
    if (*removed == 0) return not_found(path);
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"resources.delete", "Delete", path, {}}));
  });
}

Result<std::optional<store::ResourceRecord>> Resources::find(const std::string& ws,
                                                             const std::string& path) {
  return db_.read([&](store::Connection& c) { return store::find_resource(c, ws, path); });
}

Result<std::vector<store::ResourceRecord>> Resources::list(const std::string& ws,
                                                           const store::PathListFilter& filter) {
  return db_.read([&](store::Connection& c) { return store::list_resources(c, ws, filter); });
}

Status Resources::create_type(const auth::Identity& who, store::ResourceTypeRecord t) {
  t.created_by = who.username;
  t.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_resource_type(c, t.workspace_id, t.workspace_id, t.name);
    if (!existing) return existing.error();
    if (*existing) return Error::bad_request("Resource type " + t.name + " already exists");
    MR_TRY(store::insert_resource_type(c, t));
    return store::insert_audit(
        c, audit_row(clock_, who, t.workspace_id, {"resource_types.create", "Create", t.name, {}}));
  });
}

Status Resources::update_type(const auth::Identity& who, store::ResourceTypeRecord t) {
  t.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_resource_type(c, t.workspace_id, t.workspace_id, t.name);
    if (!existing) return existing.error();
    if (!*existing) return Error::not_found("Resource type " + t.name + " not found");
    MR_TRY(store::update_resource_type(c, t));
    return store::insert_audit(
        c, audit_row(clock_, who, t.workspace_id, {"resource_types.update", "Update", t.name, {}}));
  });
}

Status Resources::remove_type(const auth::Identity& who, const std::string& ws,
                              const std::string& name) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto removed = store::delete_resource_type(c, ws, name);
    if (!removed) return removed.error();
    if (*removed == 0) return Error::not_found("Resource type " + name + " not found");
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"resource_types.delete", "Delete", name, {}}));
  });
}

Result<std::optional<store::ResourceTypeRecord>> Resources::find_type(const std::string& ws,
                                                                      const std::string& name) {
  return db_.read([&](store::Connection& c) {
    return store::find_resource_type(c, ws, kSharedTypesWorkspace, name);
  });
}

Result<std::vector<store::ResourceTypeRecord>> Resources::list_types(const std::string& ws) {
  return db_.read([&](store::Connection& c) {
    return store::list_resource_types(c, ws, kSharedTypesWorkspace);
  });
}

}  // namespace millrace::service
