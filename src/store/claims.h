// The queue as many processes share it on PostgreSQL: claims that skip rows other nodes hold,
// flows that wait for their steps in the table rather than in one process's memory, pings of
// running jobs, and the wake-up notices (NOTIFY) that tell every node what changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

// The notice channel every node listens on (what is said on it: queue/notice.h).
inline constexpr const char* kNoticeChannel = "millrace";
// Sent when the writer's transaction commits, all in one statement, each notice once
// (Connection::add_notice). Only in writes (Database::write), never on a reader.
Status notify(Connection& c, const std::string& notice);

struct Claim {
  std::string id;
  int64_t wakes = 0;  // a flow's wake-up count when it was claimed (see park_flow_shared)
};
// Takes the next due job no one holds, by priority (highest first), then scheduled time:
// `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING …`.
Result<std::optional<Claim>> claim_job(Connection& c, const std::string& worker, int64_t node,
                                       EpochMs now);
// When the earliest job that is not due yet is due (nullopt: none is waiting for a time).
Result<std::optional<EpochMs>> next_due(Connection& c);
// What the safety poll looks at, in one statement (one transaction per poll at idle).
struct QueueCensus {
  std::optional<EpochMs> next_due;     // the earliest scheduled time of a job no one holds
  std::optional<EpochMs> oldest_ping;  // of the running jobs
  int64_t other_nodes_running = 0;     // jobs other nodes run or have pinned
};
Result<QueueCensus> queue_census(Connection& c, int64_t self);

// A flow advanced by `wakes_at_claim`'s claim lets go of the row: it waits for a step (no
// `due`), sleeps until `due`, or is ready at once when a step ended while it was advanced.
// Answers whether it is ready now.
Result<bool> park_flow_shared(Connection& c, const std::string& id, int64_t wakes_at_claim,
                              std::optional<EpochMs> due, EpochMs now);
// A flow's step ended (or it was resumed): counted, and a waiting or sleeping flow is due now.
// `even_if_scheduled` (a cancel): a flow scheduled for later is due now too.
Status wake_flow_shared(Connection& c, const std::string& id, bool even_if_scheduled, EpochMs now);

// Whether `worker` still holds the running job (not restarted elsewhere as a zombie).
Result<bool> job_held_by(Connection& c, const std::string& id, const std::string& worker);
// Locks the queue row of a job for this transaction; answers whether it is running, or
// nullopt when it is no longer queued.
Result<std::optional<bool>> lock_queued_job(Connection& c, const std::string& id);

// The jobs `node` is running are alive: their ping is now. Only those named: a row the node
// holds but no longer runs (a claim it could not follow up) goes unpinged, and becomes a zombie.
Status ping_running_jobs(Connection& c, int64_t node, const std::vector<std::string>& ids,
                         EpochMs now);
// The jobs of a same_worker flow (the flow and its steps) stay on the node that first claimed
// the flow: they share a folder on its disk. Unpinned when that node is gone.
Status pin_job_to_node(Connection& c, const std::string& id, int64_t node);
Status unpin_jobs_of_node(Connection& c, int64_t node);

// The other nodes that hold running jobs or pinned ones.
Result<std::vector<int64_t>> nodes_with_running_jobs(Connection& c, int64_t self);
struct RunningJob {
  std::string id;
  std::string worker;
};
// Running jobs of the given nodes, and running jobs not pinged since `stale_before`.
Result<std::vector<RunningJob>> zombie_jobs(Connection& c, const std::vector<int64_t>& dead_nodes,
                                            EpochMs stale_before);
// Lets go of a job this node claimed and could not move on: it is claimable again.
Status release_claim(Connection& c, const std::string& id, int64_t node);
// Lets go of a zombie still held by `worker` (false: someone else already did).
Result<bool> take_zombie(Connection& c, const std::string& id, const std::string& worker);

// A node holds its lock for as long as its session lives; a lock that can be taken belongs to a
// node that is gone. Both are session-level advisory locks (never held by a transaction).
std::string node_lock_sql(int64_t node);
Result<bool> node_is_gone(Connection& c, int64_t node);

Status set_early_result(Connection& c, const std::string& id, const std::string& result_json);
Result<std::optional<std::string>> get_early_result(Connection& c, const std::string& id);

}  // namespace millrace::store
