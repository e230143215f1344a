#include "store/claims.h"

#include "store/rows.h"

namespace millrace::store {
namespace {
// The class of the node locks (the second key is the node); apart from the migration lock.
constexpr int64_t kNodeLockClass = 7242432;
}  // namespace

Status notify(Connection& c, const std::string& notice) {
  c.add_notice(notice);
  return Status::ok();
}

Result<std::optional<Claim>> claim_job(Connection& c, const std::string& worker, int64_t node,
                                       EpochMs now) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 1, started_at = coalesce(started_at, ?1), worker = ?2, "
      "ping = ?1, node = ?3 WHERE id = (SELECT id FROM job_queue WHERE running = 0 AND "
      "flow_wait <> 1 AND scheduled_for <= ?1 AND (pinned_node IS NULL OR pinned_node = ?3) "
      "ORDER BY priority DESC, scheduled_for FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id, wakes");
  s.bind(1, now).bind(2, worker).bind(3, node);
  std::optional<Claim> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = Claim{r.text(0), r.int64(1)}; }));
  return out;
}

Result<std::optional<EpochMs>> next_due(Connection& c) {
  auto s =
      c.prepare("SELECT min(scheduled_for) FROM job_queue WHERE running = 0 AND flow_wait <> 1");
  std::optional<EpochMs> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    if (!r.is_null(0)) out = r.int64(0);
  }));
  return out;
}

Result<QueueCensus> queue_census(Connection& c, int64_t self) {
  auto s = c.prepare(
      "SELECT (SELECT min(scheduled_for) FROM job_queue WHERE running = 0 AND flow_wait <> 1), "
      "(SELECT min(ping) FROM job_queue WHERE running = 1), "
      "(SELECT count(*) FROM job_queue WHERE (running = 1 AND node <> ?1) OR "
      "pinned_node <> ?1)");
  s.bind(1, self);
  QueueCensus out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    if (!r.is_null(0)) out.next_due = r.int64(0);
    if (!r.is_null(1)) out.oldest_ping = r.int64(1);
    out.other_nodes_running = r.int64(2);
  }));
  return out;
}

Result<bool> park_flow_shared(Connection& c, const std::string& id, int64_t wakes_at_claim,
                              std::optional<EpochMs> due, EpochMs now) {
  // flow_wait: 0 ready (or scheduled), 1 waiting for a step, 2 asleep until scheduled_for.
  auto s = c.prepare(
      "UPDATE job_queue SET running = 0, worker = NULL, ping = NULL, node = NULL, "
      "flow_wait = CASE WHEN wakes <> ?2 THEN 0 WHEN CAST(?3 AS BIGINT) IS NULL THEN 1 ELSE 2 END, "
      "scheduled_for = CASE WHEN wakes <> ?2 THEN ?4 WHEN CAST(?3 AS BIGINT) IS NULL "
      "THEN scheduled_for ELSE ?3 END WHERE id = ?1 RETURNING flow_wait, scheduled_for");
  s.bind(1, id).bind(2, wakes_at_claim).bind(3, due).bind(4, now);
  bool ready = false;
  MR_TRY(for_each_row(s, [&](Statement& r) { ready = r.int64(0) == 0 && r.int64(1) <= now; }));
  return ready;
}

Status wake_flow_shared(Connection& c, const std::string& id, bool even_if_scheduled, EpochMs now) {
  auto s = c.prepare(
      "UPDATE job_queue SET wakes = wakes + 1, scheduled_for = CASE WHEN flow_wait <> 0 OR ?2 = 1 "
      "THEN ?3 ELSE scheduled_for END, flow_wait = 0 WHERE id = ?1");
  s.bind(1, id).bind(2, even_if_scheduled).bind(3, now);
  return s.run();
}

Result<bool> job_held_by(Connection& c, const std::string& id, const std::string& worker) {
  auto s = c.prepare("SELECT 1 FROM job_queue WHERE id = ? AND running = 1 AND worker = ?");
  s.bind(1, id).bind(2, worker);
  auto row = s.step();
  if (!row) return row.error();
  return *row;
}

Result<std::optional<bool>> lock_queued_job(Connection& c, const std::string& id) {
  auto s = c.prepare("SELECT running FROM job_queue WHERE id = ? FOR UPDATE");
  s.bind(1, id);
  std::optional<bool> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out = r.int64(0) != 0; }));
  return out;
}

Status ping_running_jobs(Connection& c, int64_t node, const std::vector<std::string>& ids,
                         EpochMs now) {
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
  auto s = c.prepare(
      "UPDATE job_queue SET ping = ? WHERE node = ? AND running = 1 "
      "AND id = ANY(string_to_array(?, ','))");
  s.bind(1, now).bind(2, node).bind(3, list);
  return s.run();
}

Status pin_job_to_node(Connection& c, const std::string& id, int64_t node) {
  auto s = c.prepare("UPDATE job_queue SET pinned_node = ? WHERE id = ? AND pinned_node IS NULL");
  s.bind(1, node).bind(2, id);
  return s.run();
}

Status unpin_jobs_of_node(Connection& c, int64_t node) {
  auto s = c.prepare("UPDATE job_queue SET pinned_node = NULL WHERE pinned_node = ?");
  s.bind(1, node);
  return s.run();
}

Result<std::vector<int64_t>> nodes_with_running_jobs(Connection& c, int64_t self) {
  auto s = c.prepare(
      "SELECT node FROM job_queue WHERE running = 1 AND node IS NOT NULL AND node <> ?1 UNION "
      "SELECT pinned_node FROM job_queue WHERE pinned_node IS NOT NULL AND pinned_node <> ?1");
  s.bind(1, self);
  std::vector<int64_t> out;
  MR_TRY(for_each_row(s, [&](Statement& r) { out.push_back(r.int64(0)); }));
  return out;
}

Result<std::vector<RunningJob>> zombie_jobs(Connection& c, const std::vector<int64_t>& dead_nodes,
                                            EpochMs stale_before) {
  std::vector<RunningJob> out;
  auto add = [&](Statement& r) { out.push_back({r.text(0), r.is_null(1) ? "" : r.text(1)}); };
  for (int64_t node : dead_nodes) {
    auto s = c.prepare("SELECT id, worker FROM job_queue WHERE running = 1 AND node = ?");
    s.bind(1, node);
    MR_TRY(for_each_row(s, add));
  }
  auto s = c.prepare("SELECT id, worker FROM job_queue WHERE running = 1 AND ping < ?");
  s.bind(1, stale_before);
  MR_TRY(for_each_row(s, add));
  return out;
}

Status release_claim(Connection& c, const std::string& id, int64_t node) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 0, worker = NULL, ping = NULL, node = NULL "
      "WHERE id = ? AND running = 1 AND node = ?");
  s.bind(1, id).bind(2, node);
  return s.run();
}

Result<bool> take_zombie(Connection& c, const std::string& id, const std::string& worker) {
  auto s = c.prepare(
      "UPDATE job_queue SET running = 0, worker = NULL, ping = NULL, node = NULL "
      "WHERE id = ? AND running = 1 AND worker = ?");
  s.bind(1, id).bind(2, worker);
  MR_TRY(s.run());
  return c.changes() == 1;
}

std::string node_lock_sql(int64_t node) {
  return "SELECT pg_advisory_lock(" + std::to_string(kNodeLockClass) + ", " + std::to_string(node) +
         ")";
}

Result<bool> node_is_gone(Connection& c, int64_t node) {
  auto s = c.prepare("SELECT CAST(pg_try_advisory_lock(?1, ?2) AS INTEGER)");
  s.bind(1, kNodeLockClass).bind(2, node);
  auto row = s.step();
  if (!row) return row.error();
  bool gone = *row && s.int64(0) == 1;
  if (gone) {
    auto unlock = c.prepare("SELECT pg_advisory_unlock(?1, ?2)");
    unlock.bind(1, kNodeLockClass).bind(2, node);
    MR_TRY(unlock.run());
  }
  return gone;
}

Status set_early_result(Connection& c, const std::string& id, const std::string& result_json) {
  auto s = c.prepare("UPDATE job_queue SET early_result = ? WHERE id = ?");
  s.bind(1, result_json).bind(2, id);
  return s.run();
}

Result<std::optional<std::string>> get_early_result(Connection& c, const std::string& id) {
  auto s = c.prepare("SELECT early_result FROM job_queue WHERE id = ?");
  s.bind(1, id);
  std::optional<std::string> out;
  MR_TRY(for_each_row(s, [&](Statement& r) {
    if (!r.is_null(0)) out = r.text(0);
  }));
  return out;
}

}  // namespace millrace::store
