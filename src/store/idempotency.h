// Idempotency keys: the key a request came with (an Idempotency-Key header, a sender's delivery
// id) and the job it made, kept for a window. A retry of that request gets that job, not
// another. Shared by every node of a PostgreSQL cluster, and durable across restarts.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct IdempotencyRecord {
  std::string workspace_id;
  std::string scope;  // whose key and for what (a caller and a runnable, a route)
  std::string key;
  std::string request_hash;  // of the request's body: the same key with another body is refused
  std::string job_id;
  EpochMs created_at = 0;
  EpochMs expires_at = 0;
};

// The key for `r.job_id`, in the job's transaction: Conflict (409) when a claim that has not
// expired holds it; an expired one is replaced. A few other expired claims are dropped too.
Status claim_idempotency_key(Connection& c, const IdempotencyRecord& r);
// The claim on the key that has not expired at `now`.
Result<std::optional<IdempotencyRecord>> find_idempotency_key(Connection& c, const std::string& ws,
                                                              const std::string& scope,
                                                              const std::string& key, EpochMs now);

}  // namespace millrace::store
