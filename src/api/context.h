// What every API handler may use. Owned by the server's main; outlives every request.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

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
}
namespace queue {
class JobQueue;
}
}  // namespace millrace

namespace millrace::api {

// The newest version of each script path, as by-path webhooks resolve it. Saving or archiving
// through this process updates it; versions themselves never change.
class LatestScripts {
 public:
  explicit LatestScripts(store::Database& db) : db_(db) {}
  Result<std::shared_ptr<const store::ScriptRecord>> get(const std::string& ws,
                                                         const std::string& path);
  void forget(const std::string& ws, const std::string& path);

 private:
  store::Database& db_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const store::ScriptRecord>> entries_;
};

struct ApiContext {
  const Config& config;
  const Clock& clock;
  store::Database& db;
  auth::Authenticator& auth;
  queue::JobQueue& queue;
  TimerQueue& timers;
  LatestScripts latest_scripts;
  std::string base_url;
};

}  // namespace millrace::api
