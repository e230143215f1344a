// The deliveries of an HTTP route: each call as received (its headers with credentials masked,
// its body up to a size), whether it passed the route's authentication, what it was answered
// and the job it made. Each route keeps its last few, for a while.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct HttpDeliveryRecord {
  std::string id;  // time-ordered (UUIDv7)
  std::string workspace_id;
  std::string trigger_path;
  EpochMs received_at = 0;
  std::string method;
  std::string path;          // as called, after /api/r/
  std::string query;         // raw
  std::string headers_json;  // {"name": "value"}, credentials as ***
  std::string body;
  std::string body_encoding = "utf8";  // or base64 (a body that is not UTF-8)
  bool body_truncated = false;
  bool verified = false;              // it passed the route's authentication
  int64_t status = 0;                 // what it was answered (499: the caller left first)
  std::optional<std::string> reason;  // why it was refused
  std::optional<std::string> job_id;
  std::optional<std::string> replay_of;  // a replay: the delivery it replays
};

struct DeliveryRetention {
  int64_t kept = 100;              // per route
  EpochMs max_age_ms = 604800000;  // 7 days
};

// Stores it; with `prune`, also drops its route's deliveries beyond `retention` (done now and
// then, not at every call: lists apply the retention themselves).
Status insert_http_delivery(Connection& c, const HttpDeliveryRecord& d,
                            const DeliveryRetention& retention, bool prune);
// A route's deliveries within `retention` (the newest `kept`, none older), newest first.
Result<std::vector<HttpDeliveryRecord>> list_http_deliveries(Connection& c, const std::string& ws,
                                                             const std::string& trigger_path,
                                                             const DeliveryRetention& retention,
                                                             int64_t limit, EpochMs now);
Result<std::optional<HttpDeliveryRecord>> find_http_delivery(Connection& c, const std::string& ws,
                                                             const std::string& id);
// A route moved or deleted: its deliveries follow it, or go.
Status move_http_deliveries(Connection& c, const std::string& ws, const std::string& from,
                            const std::string& to);
Status delete_http_deliveries(Connection& c, const std::string& ws, const std::string& path);

}  // namespace millrace::store
