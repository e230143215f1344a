#include "store/idempotency.h"

#include "store/rows.h"

namespace millrace::store {

Status claim_idempotency_key(Connection& c, const IdempotencyRecord& r) {
  auto held = find_idempotency_key(c, r.workspace_id, r.scope, r.key, r.created_at);
  if (!held) return held.error();
  if (*held) return Error::of(ErrorKind::Conflict, "idempotency key " + r.key + " is taken");
  // Expired claims go a few at a time, as new ones come: no sweeper, and no long delete.
  auto sweep = c.prepare(
      "DELETE FROM idempotency_key WHERE (workspace_id, scope, key) IN (SELECT workspace_id, "
      "scope, key FROM idempotency_key WHERE expires_at <= ? LIMIT 16)");
  sweep.bind(1, r.created_at);
  MR_TRY(sweep.run());
  auto stale =
      c.prepare("DELETE FROM idempotency_key WHERE workspace_id = ? AND scope = ? AND key = ?");
  stale.bind(1, r.workspace_id).bind(2, r.scope).bind(3, r.key);
  MR_TRY(stale.run());
  auto s = c.prepare(
      "INSERT INTO idempotency_key (workspace_id, scope, key, request_hash, job_id, created_at, "
      "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.workspace_id).bind(2, r.scope).bind(3, r.key).bind(4, r.request_hash);
  s.bind(5, r.job_id).bind(6, r.created_at).bind(7, r.expires_at);
  return s.run();
}

Result<std::optional<IdempotencyRecord>> find_idempotency_key(Connection& c, const std::string& ws,
                                                              const std::string& scope,
                                                              const std::string& key, EpochMs now) {
  auto s = c.prepare(
      "SELECT workspace_id, scope, key, request_hash, job_id, created_at, expires_at FROM "
      "idempotency_key WHERE workspace_id = ? AND scope = ? AND key = ? AND expires_at > ?");
  s.bind(1, ws).bind(2, scope).bind(3, key).bind(4, now);
  std::optional<IdempotencyRecord> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    out = IdempotencyRecord{r.text(0), r.text(1),  r.text(2), r.text(3),
                            r.text(4), r.int64(5), r.int64(6)};
  }));
  return out;
}

}  // namespace millrace::store
