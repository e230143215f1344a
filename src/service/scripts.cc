#include "service/scripts.h"

#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "common/strings.h"
#include "service/audit_entry.h"
#include "service/script_hash.h"
#include "store/database.h"

namespace millrace::service {
namespace {

bool same_version(const store::ScriptRecord& a, const store::ScriptRecord& b) {
  return a.content == b.content && a.summary == b.summary && a.description == b.description &&
         a.language == b.language && a.schema_json == b.schema_json && a.kind == b.kind &&
         a.lock == b.lock && a.timeout_s == b.timeout_s && a.extra_json == b.extra_json;
}

}  // namespace

Result<std::string> Scripts::save(const auth::Identity& who, store::ScriptRecord s,
                                  SaveOptions options) {
  const std::string ws = s.workspace_id;
  s.created_by = who.username;
  s.created_at = clock_.now_ms();
  std::string answer;
  Status st = db_.write_sync([&](store::Connection& c) -> Status {
    auto head = store::latest_script(c, ws, s.path);
    if (!head) return head.error();
    if (options.auto_parent && !s.parent_hash && *head) s.parent_hash = (*head)->hash;
    if (s.parent_hash) {
      auto parent = store::find_script_by_hash(c, ws, *s.parent_hash);
      if (!parent) return parent.error();
      if (!*parent) return Error::bad_request("The parent hash does not seem to exist");
      auto has_child = store::script_has_child(c, ws, *s.parent_hash);
      if (!has_child) return has_child.error();
      if (*has_child) {
        return Error::bad_request("The parent hash " + *s.parent_hash +
                                  " already has a child: the lineage must be linear");
      }
      if (options.skip_if_noop && same_version(**parent, s) && (*parent)->path == s.path) {
        answer = (*parent)->hash;
        return Status::ok();
      }
    }
    // A live version at the path must be the parent of the new one (not a version elsewhere).
    if (*head && !(*head)->archived && s.parent_hash != (*head)->hash) {
      return Error::bad_request("Path conflict for " + s.path + " with non-archived hash " +
                                (*head)->hash);
    }
    s.hash = compute_script_hash(s);
    auto same = store::find_script_by_hash(c, ws, s.hash);
    if (!same) return same.error();
    if (*same) {
      return Error::bad_request(
          "A script with same hash (hence same path, description, summary, content) already "
          "exists!");
    }
    MR_TRY(store::insert_script(c, s));
    answer = s.hash;
    return store::insert_audit(c, audit_row(clock_, who, ws,
                                            {s.parent_hash ? "scripts.update" : "scripts.create",
                                             s.parent_hash ? "Update" : "Create", s.path,
                                             nlohmann::json{{"hash", s.hash}}.dump()}));
  });
  if (!st) return st.error();
  forget(ws, s.path);
  return answer;
}

Status Scripts::set_archived(const auth::Identity& who, const std::string& ws,
                             const std::string& path, bool archived) {
  Status s = db_.write_sync([&](store::Connection& c) -> Status {
    auto head = store::latest_script(c, ws, path);
    if (!head) return head.error();
    if (!*head) return Error::not_found("script not found at name " + path);
    auto changed = archived ? store::archive_script_path(c, ws, path)
                            : store::unarchive_script_path(c, ws, path);
    if (!changed) return changed.error();
    // As Windmill records it: a Delete of the version that was live (an Update to revive it).
    return store::insert_audit(
        c, audit_row(clock_, who, ws,
                     {"scripts.archive", archived ? "Delete" : "Update", (*head)->hash,
                      nlohmann::json{{"path", path}, {"archived", archived}}.dump()}));
  });
  if (s) forget(ws, path);
  return s;
}

Result<std::shared_ptr<const store::ScriptRecord>> Scripts::latest(const std::string& ws,
                                                                   const std::string& path) {
  std::string key = ws + '\n' + path;
  {
    std::lock_guard lock(mutex_);
    if (auto it = newest_.find(key); it != newest_.end()) return it->second;
  }
  auto found = db_.read([&](store::Connection& c) { return store::latest_script(c, ws, path); });
  if (!found) return found.error();
  if (!*found) return Error::not_found("script not found at name " + path);
  auto entry = std::make_shared<const store::ScriptRecord>(std::move(**found));
  // A lock still being resolved changes without a new version: such a version is read afresh.
  if (!entry->lock && !entry->lock_error_logs) return entry;
  std::lock_guard lock(mutex_);
  newest_[key] = entry;
  return entry;
}

Result<std::shared_ptr<const store::ScriptRecord>> Scripts::version(const std::string& ws,
                                                                    const std::string& hash) {
  if (!is_valid_script_hash(hash)) {
    return Error::bad_request("invalid script hash " + hash + ": expected 16 hex digits");
  }
  std::string h = to_lower(hash);
  auto found = db_.read([&](store::Connection& c) { return store::find_script_by_hash(c, ws, h); });
  if (!found) return found.error();
  if (!*found) return Error::not_found("script not found at hash " + hash);
  return std::make_shared<const store::ScriptRecord>(std::move(**found));
}

Result<std::vector<store::ScriptRecord>> Scripts::list(const std::string& ws,
                                                       const store::ScriptListFilter& filter) {
  return db_.read([&](store::Connection& c) { return store::list_scripts(c, ws, filter); });
}

Result<std::vector<store::ScriptRecord>> Scripts::history(const std::string& ws,
                                                          const std::string& path) {
  return db_.read([&](store::Connection& c) { return store::script_history(c, ws, path); });
}

void Scripts::forget(const std::string& ws, const std::string& path) {
  std::lock_guard lock(mutex_);
  newest_.erase(ws + '\n' + path);
}

}  // namespace millrace::service
