// Scripts: every save is a new version (a hash), in a linear lineage per path; the newest
// version of a path is what runs by path, and a version runs by its hash forever. This service
// owns their persistence, the audit row of every change, and the cache of newest versions whose
// lock is settled (dropped whenever this process changes a path). Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/scripts.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

class Scripts {
 public:
  Scripts(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  struct SaveOptions {
    bool auto_parent = false;   // no parent_hash given: the path's newest version is the parent
    bool skip_if_noop = false;  // the same as its parent: nothing is saved
  };
  // Saves `s` (a NewScript, checked for shape) as a new version by `who`; answers its hash, or
  // the parent's when skip_if_noop found nothing new. 400 when the lineage would fork, the
  // parent does not exist, another live version holds the path, or the version exists.
  Result<std::string> save(const auth::Identity& who, store::ScriptRecord s, SaveOptions options);
  // Archives the path's versions (or, `archived` false, revives them). 404 when it has none.
  Status set_archived(const auth::Identity& who, const std::string& ws, const std::string& path,
                      bool archived);

  // The newest version at `path` (cached). 404 `script not found at name <path>`.
  Result<std::shared_ptr<const store::ScriptRecord>> latest(const std::string& ws,
                                                            const std::string& path);
  // The version `hash`. 400 for a malformed hash, 404 when the workspace has none.
  Result<std::shared_ptr<const store::ScriptRecord>> version(const std::string& ws,
                                                             const std::string& hash);
  Result<std::vector<store::ScriptRecord>> list(const std::string& ws,
                                                const store::ScriptListFilter& filter);
  // Every version at `path`, newest first (empty when there is none).
  Result<std::vector<store::ScriptRecord>> history(const std::string& ws, const std::string& path);

 private:
  void forget(const std::string& ws, const std::string& path);

  store::Database& db_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const store::ScriptRecord>> newest_;
};

}  // namespace millrace::service
