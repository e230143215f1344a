// Script versions by hash. A version never changes once saved but for its lock, which is
// settled once; a version whose lock is still pending is not kept, so entries never go stale.
// The cache is only bounded in size. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/error.h"
#include "store/scripts.h"

namespace millrace::store {
class Database;
}

namespace millrace::worker {

class ScriptCache {
 public:
  explicit ScriptCache(store::Database& db) : db_(db) {}
  // The version, or 404 when the workspace has no such hash.
  Result<std::shared_ptr<const store::ScriptRecord>> by_hash(const std::string& workspace_id,
                                                             const std::string& hash);

 private:
  static constexpr size_t kMaxEntries = 4096;
  store::Database& db_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const store::ScriptRecord>> entries_;
};

}  // namespace millrace::worker
