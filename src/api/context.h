// What every API handler may use. Owned by the server's main; outlives every request.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "api/address_allow_list.h"
#include "common/clock.h"
#include "common/config.h"
#include "store/scripts.h"

namespace millrace {
class TimerQueue;
namespace store {
class Database;
}
namespace auth {
class Authenticator;
class LoginLimiter;
class PasswordPool;
}  // namespace auth
namespace queue {
class JobQueue;
}
}  // namespace millrace

namespace millrace::api {

// Finds script versions for the API: the newest at a path (what by-path webhooks run; cached,
// and dropped when this process saves or archives at that path) or one by its hash.
class ScriptLookup {
 public:
  explicit ScriptLookup(store::Database& db) : db_(db) {}
  // 404 `Not found: script not found at name <path>` when there is none.
  Result<std::shared_ptr<const store::ScriptRecord>> latest(const std::string& ws,
                                                            const std::string& path);
  // 400 for a malformed hash, 404 when the workspace has no such version.
  Result<std::shared_ptr<const store::ScriptRecord>> version(const std::string& ws,
                                                             const std::string& hash);
  void forget(const std::string& ws, const std::string& path);

 private:
  store::Database& db_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const store::ScriptRecord>> entries_;
};

// Which workspaces exist. A workspace is never deleted, so a yes is remembered for good.
class KnownWorkspaces {
 public:
  explicit KnownWorkspaces(store::Database& db) : db_(db) {}
  // 404 `Not found: workspace <id> does not exist` when it does not.
  Status check_exists(const std::string& id);

 private:
  store::Database& db_;
  std::mutex mutex_;
  std::unordered_set<std::string> known_;
};

struct ApiContext {
  const Config& config;
  const Clock& clock;
  store::Database& db;
  auth::Authenticator& auth;
  queue::JobQueue& queue;
  TimerQueue& timers;
  ScriptLookup scripts;
  KnownWorkspaces workspaces;
  std::string base_url;
  auth::PasswordPool& passwords;
  auth::LoginLimiter& logins;
  AddressAllowList metrics_allow;  // may read GET /metrics without a token
};

}  // namespace millrace::api
