// Script versions. Every save is a new immutable row (its hash); the newest row of a path is
// what a by-path webhook runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct ScriptRecord {
  std::string workspace_id;
  std::string hash;  // 16 lowercase hex digits
  std::string path;
  std::optional<std::string> parent_hash;
  std::string summary;
  std::string description;
  std::string content;
  std::string language;
  std::optional<std::string> schema_json;
  std::string kind = "script";
  // The packages it runs with (a Python requirements lock, a package-lock.json): empty when it
  // needs none, absent while a dependency job resolves it. lock_error_logs: why it failed.
  std::optional<std::string> lock;
  std::optional<std::string> lock_error_logs;
  std::optional<int64_t> timeout_s;
  std::optional<std::string> extra_json;  // other NewScript fields, returned as given
  bool archived = false;
  bool deleted = false;
  std::string created_by;
  EpochMs created_at = 0;
  int64_t seq = 0;  // creation order in the workspace; assigned by insert_script
};

struct ScriptListFilter {
  std::optional<std::string> path_start;
  std::optional<std::string> path_exact;
  std::optional<std::string> created_by;
  std::vector<std::string> languages;
  bool show_archived = false;  // true lists only archived paths, as Windmill does
  // Set: only paths under one of these prefixes (what a member may read).
  std::optional<std::vector<std::string>> visible_prefixes;
  int64_t limit = 1000;
  int64_t offset = 0;
};

Result<std::optional<ScriptRecord>> find_script_by_hash(Connection& c, const std::string& ws,
                                                        const std::string& hash);
// The newest non-deleted version at `path` (archived versions included, as Windmill resolves).
Result<std::optional<ScriptRecord>> latest_script(Connection& c, const std::string& ws,
                                                  const std::string& path);
// The newest version of each path, newest first.
Result<std::vector<ScriptRecord>> list_scripts(Connection& c, const std::string& ws,
                                               const ScriptListFilter& f);
// Every version at `path`, newest first.
Result<std::vector<ScriptRecord>> script_history(Connection& c, const std::string& ws,
                                                 const std::string& path);
Result<bool> script_has_child(Connection& c, const std::string& ws, const std::string& hash);
// Inserts `s`, assigning its seq. Archives s.parent_hash when set.
Status insert_script(Connection& c, ScriptRecord& s);
// Archives every version at the path; returns how many rows changed.
Result<int64_t> archive_script_path(Connection& c, const std::string& ws, const std::string& path);
// Brings an archived script back: its newest version is live again.
Result<int64_t> unarchive_script_path(Connection& c, const std::string& ws,
                                      const std::string& path);

// A version's lock, the one part of it that changes after it is saved: it is resolved after the
// save (a relock is a new version).
struct ScriptLock {
  std::optional<std::string> lock;   // absent: not resolved yet
  std::optional<std::string> error;  // set: resolving it failed, and why
  bool pending() const { return !lock && !error; }
};
Result<std::optional<ScriptLock>> find_script_lock(Connection& c, const std::string& ws,
                                                   const std::string& hash);
// Stores the outcome of the version's resolution, unless one is stored already (the first to
// resolve it wins). Answers whether it changed a row.
Result<bool> settle_script_lock(Connection& c, const std::string& ws, const std::string& hash,
                                const ScriptLock& lock);
// The non-empty locks of every version not deleted, in every workspace (what the package cache
// must keep).
Result<std::vector<std::string>> live_script_locks(Connection& c);

}  // namespace millrace::store
