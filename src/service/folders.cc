#include "service/folders.h"

#include <algorithm>

#include "auth/identity.h"
#include "service/audit_entry.h"
#include "store/database.h"

namespace millrace::service {
namespace {

const char* operation_of(FolderChange change) {
  switch (change) {
    case FolderChange::AddOwner:
      return "folder.add_owner";
    case FolderChange::RemoveOwner:
      return "folder.remove_owner";
    case FolderChange::Update:
      break;
  }
  return "folder.update";
}

}  // namespace

Status Folders::may_create(const auth::Identity& who) {
  if (who.is_operator && !who.is_admin) {
    return Error::permission_denied("an operator may not create folders");
  }
  return Status::ok();
}

Status Folders::create(const auth::Identity& who, store::FolderRecord f) {
  MR_TRY(may_create(who));
  const std::string me = "u/" + who.username;
  if (std::find(f.owners.begin(), f.owners.end(), me) == f.owners.end()) f.owners.push_back(me);
  f.created_by = who.username;
  f.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    auto existing = store::find_folder(c, f.workspace_id, f.name);
    if (!existing) return existing.error();
    if (*existing) return Error::bad_request("Folder " + f.name + " already exists");
    MR_TRY(store::insert_folder(c, f));
    return store::insert_audit(
        c, audit_row(clock_, who, f.workspace_id, {"folder.create", "Create", f.name, {}}));
  });
}

Result<store::FolderRecord> Folders::owned(const auth::Identity& who, const std::string& ws,
                                           const std::string& name) {
  auto f = find(ws, name);
  if (!f) return f.error();
  if (!*f) return Error::not_found("folder not found at name " + name);
  const auto& owners = (*f)->owners;
  const bool owner = std::find(owners.begin(), owners.end(), "u/" + who.username) != owners.end();
  if (!owner && !who.is_admin && !who.super_admin) {
    return Error::permission_denied("only the owners of the folder " + name +
                                    " (or an admin) may change it");
  }
  return std::move(**f);
}

Status Folders::update(const auth::Identity& who, store::FolderRecord f, FolderChange change) {
  f.edited_at = clock_.now_ms();
  return db_.write_sync([&](store::Connection& c) -> Status {
    MR_TRY(store::update_folder(c, f));
    return store::insert_audit(
        c, audit_row(clock_, who, f.workspace_id, {operation_of(change), "Update", f.name, {}}));
  });
}

Status Folders::remove(const auth::Identity& who, const std::string& ws, const std::string& name) {
  return db_.write_sync([&](store::Connection& c) -> Status {
    MR_TRY(store::delete_folder(c, ws, name).status());
    return store::insert_audit(c,
                               audit_row(clock_, who, ws, {"folder.delete", "Delete", name, {}}));
  });
}

Result<std::optional<store::FolderRecord>> Folders::find(const std::string& ws,
                                                         const std::string& name) {
  return db_.read([&](store::Connection& c) { return store::find_folder(c, ws, name); });
}

Result<std::vector<store::FolderRecord>> Folders::list(const std::string& ws) {
  return db_.read([&](store::Connection& c) { return store::list_folders(c, ws); });
}

}  // namespace millrace::service
