#include "service/variables.h"

#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "secrets/vault.h"
#include "service/audit_entry.h"
#include "store/audit.h"
#include "store/database.h"

namespace millrace::service {
namespace {

Error path_taken(const std::string& path) {
  return Error::bad_request("Variable " + path + " already exists");
}

}  // namespace

Status Variables::create(const auth::Identity& who, store::VariableRecord v, bool already_sealed) {
  if (v.is_secret && already_sealed) MR_TRY(check_sealed(v.workspace_id, v.value));
  if (v.is_secret && !already_sealed) {
    auto sealed = vault_.seal(v.workspace_id, v.value);
    if (!sealed) return sealed.error();
    v.value = std::move(*sealed);
  }
  v.created_by = who.username;
  v.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_variable(c, v.workspace_id, v.path);
    if (!existing) return existing.error();
    if (*existing) return path_taken(v.path);
    MR_TRY(store::insert_variable(c, v));
    return store::insert_audit(
        c, audit_row(clock_, who, v.workspace_id, {"variables.create", "Create", v.path, {}}));
  });
}

Status Variables::update(const auth::Identity& who, const std::string& ws, const std::string& path,
                         const Change& change, bool already_sealed) {
  auto found = find(ws, path);
  if (!found) return found.error();
  if (!*found) return Error::not_found("Variable " + path + " not found");
  store::VariableRecord v = **found;
  const bool was_secret = v.is_secret;
  if (change.is_secret) v.is_secret = *change.is_secret;
  if (change.value) {
    v.value = *change.value;
    if (v.is_secret && already_sealed) MR_TRY(check_sealed(ws, v.value));
    if (v.is_secret && !already_sealed) {
      auto sealed = vault_.seal(ws, v.value);
      if (!sealed) return sealed.error();
      v.value = std::move(*sealed);
    }
  } else if (was_secret != v.is_secret) {
    // The value stays; only its form changes.
    auto converted = was_secret ? vault_.unseal(ws, v.value) : vault_.seal(ws, v.value);
    if (!converted) return converted.error();
    v.value = std::move(*converted);
  }
  if (change.description) v.description = *change.description;
  if (change.path) v.path = *change.path;
  v.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    if (v.path != path) {
      auto taken = store::find_variable(c, ws, v.path);
      if (!taken) return taken.error();
      if (*taken) return path_taken(v.path);
    }
    MR_TRY(store::update_variable(c, path, v));
    if (c.changes() == 0) return Error::not_found("Variable " + path + " not found");
    nlohmann::json params = nlohmann::json::object();
    if (v.path != path) params["path"] = v.path;
    return store::insert_audit(
        c, audit_row(clock_, who, ws,
                     {"variables.update", "Update", path,
                      params.empty() ? std::nullopt : std::optional(params.dump())}));
  });
}

Status Variables::remove(const auth::Identity& who, const std::string& ws,
                         const std::string& path) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto removed = store::delete_variable(c, ws, path);
    if (!removed) return removed.error();
    if (*removed == 0) return Error::not_found("Variable " + path + " not found");
    return store::insert_audit(
        c, audit_row(clock_, who, ws, {"variables.delete", "Delete", path, {}}));
  });
}

Status Variables::check_sealed(const std::string& ws, const std::string& sealed) {
  if (vault_.unseal(ws, sealed)) return Status::ok();
  return Error::bad_request(
      "the value is not sealed with this workspace's key: seal it with variables/encrypt of the "
      "same workspace, or send it without already_encrypted");
}

Result<std::optional<store::VariableRecord>> Variables::find(const std::string& ws,
                                                             const std::string& path) {
  return db_.read([&](store::Connection& c) { return store::find_variable(c, ws, path); });
}

Result<std::vector<store::VariableRecord>> Variables::list(const std::string& ws,
                                                           const store::PathListFilter& filter) {
  return db_.read([&](store::Connection& c) { return store::list_variables(c, ws, filter); });
}

Result<std::string> Variables::reveal(const auth::Identity& who, const store::VariableRecord& v) {
  if (!v.is_secret) return v.value;
  nlohmann::json params = nlohmann::json::object();
  if (who.job_id) params["job_id"] = *who.job_id;
  Status audited = db_.write_sync([&](store::Connection& c) {
    return store::insert_audit(
        c, audit_row(clock_, who, v.workspace_id,
                     {"variables.decrypt_secret", "Execute", v.path,
                      params.empty() ? std::nullopt : std::optional(params.dump())}));
  });
  if (!audited) return audited.error();
  if (v.value.empty()) return std::string();
  return vault_.unseal(v.workspace_id, v.value);
}

Result<std::string> Variables::seal(const std::string& ws, const std::string& plaintext) {
  return vault_.seal(ws, plaintext);
}

Result<std::vector<std::string>> Variables::secrets_in_clear(const std::string& ws) {
  auto sealed = db_.read([&](store::Connection& c) { return store::list_secret_variables(c, ws); });
  if (!sealed) return sealed.error();
  std::vector<std::string> out;
  for (const auto& v : *sealed) {
    if (v.value.empty()) continue;
    auto plain = vault_.unseal(ws, v.value);
    if (plain) out.push_back(std::move(*plain));
  }
  return out;
}

}  // namespace millrace::service
