#include "worker/script_cache.h"

#include "store/database.h"

namespace millrace::worker {

Result<std::shared_ptr<const store::ScriptRecord>> ScriptCache::by_hash(
    const std::string& workspace_id, const std::string& hash) {
  std::string key = workspace_id + '\n' + hash;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  auto found = db_.read(
      [&](store::Connection& c) { return store::find_script_by_hash(c, workspace_id, hash); });
  if (!found) return found.error();
  if (!*found) return Error::not_found("script not found at hash " + hash);
  auto entry = std::make_shared<const store::ScriptRecord>(std::move(**found));
  // Its lock is still being resolved: the one part of a version that changes after its save.
  if (!entry->lock && !entry->lock_error_logs) return entry;
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = entry;
  return entry;
}

}  // namespace millrace::worker
