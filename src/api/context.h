// What every API handler may use. Owned by the server's main; outlives every request.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "api/address_allow_list.h"
#include "api/back_pressure.h"
#include "api/route_auth.h"
#include "common/clock.h"
#include "common/config.h"
#include "flow/approvals.h"
#include "service/audit_log.h"
#include "service/flows.h"
#include "service/folders.h"
#include "service/http_triggers.h"
#include "service/jobs.h"
#include "service/resources.h"
#include "service/scripts.h"
#include "service/tokens.h"
#include "service/users.h"
#include "service/variables.h"

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
  service::Scripts scripts;
  service::Flows flows;
  service::Folders folders;
  service::Tokens tokens;
  service::Users users;
  service::Jobs jobs;
  service::AuditLog audit_log;
  service::Variables variables;
  service::Resources resources;
  service::HttpTriggers http_triggers;
  flow::Approvals approvals;  // answers to a flow's approval steps
  KnownWorkspaces workspaces;
  std::string base_url;
  auth::PasswordPool& passwords;
  auth::LoginLimiter& logins;
  AddressAllowList metrics_allow;  // may read GET /metrics without a token
  RouteAuthenticator route_auth;   // HTTP routes' credentials, read and kept a few seconds
  BackPressure back_pressure;      // rate and queue limits, before any job
};

}  // namespace millrace::api
