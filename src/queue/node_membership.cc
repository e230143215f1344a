#include "queue/node_membership.h"

#include <algorithm>

#include "common/log.h"
#include "queue/notice.h"
#include "store/claims.h"
#include "store/database.h"
#include "store/jobs.h"
#include "store/notices.h"

namespace millrace::queue {

NodeMembership::NodeMembership(store::Database& db, const Clock& clock, SharedQueueOptions options,
                               Queue queue)
    : db_(db), clock_(clock), options_(std::move(options)), queue_(std::move(queue)) {}

NodeMembership::~NodeMembership() {
  stop();
}

Result<std::vector<std::string>> NodeMembership::join() {
  // The node's lock lives on the listening session, which is opened again at once when cut.
  auto listener =
      store::NoticeListener::open(db_.location(), {store::node_lock_sql(options_.node)});
  if (!listener) return listener.error();
  listener_ = std::move(*listener);
  auto settled = sweep_zombies();
  thread_ = std::thread([this] { listen_loop(); });
  return settled;
}

void NodeMembership::stop() {
  stopping_ = true;
  if (listener_) listener_->interrupt();
  std::lock_guard lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

void NodeMembership::listen_loop() {
  const EpochMs poll_every = options_.safety_poll_ms;
  // Pings come often enough that a live job is never mistaken for a zombie.
  const EpochMs ping_every = std::max<EpochMs>(options_.zombie_timeout_ms / 4, 100);
  EpochMs next_poll = clock_.now_ms() + poll_every;
  EpochMs next_ping = clock_.now_ms() + ping_every;
  std::vector<std::string> notices;
  while (!stopping_) {
    EpochMs now = clock_.now_ms();
    int timeout = static_cast<int>(std::max<EpochMs>(std::min(next_poll, next_ping) - now, 0));
    auto wake = listener_->wait(timeout, notices);
    for (const auto& notice : notices) queue_.on_notice(notice);
    if (stopping_) break;
    now = clock_.now_ms();
    bool reconnected = wake == store::NoticeListener::Wake::kReconnected;
    if (reconnected || now >= next_poll) {
      safety_poll(reconnected);
      next_poll = clock_.now_ms() + poll_every;
    }
    if (now >= next_ping) {
      ping_running_jobs(now);
      next_ping = now + ping_every;
    }
  }
}

void NodeMembership::ping_running_jobs(EpochMs now) {
  auto running = queue_.running_here();
  if (running.empty()) return;
  db_.write([node = options_.node, running = std::move(running),
             now](store::Connection& c) { return store::ping_running_jobs(c, node, running, now); },
            {});
}

void NodeMembership::safety_poll(bool listener_reconnected) {
  EpochMs now = clock_.now_ms();
  auto census =
      db_.read([&](store::Connection& c) { return store::queue_census(c, options_.node); });
  if (!census) return log::error("safety poll: " + census.error().message);
  if (census->next_due && *census->next_due <= now) queue_.kick_workers();
  if (listener_reconnected) queue_.recheck_waiters();
  // Only when another node runs jobs (it may be gone) or a ping is late (a node is stuck).
  bool late = census->oldest_ping && *census->oldest_ping < now - options_.zombie_timeout_ms;
  if (census->other_nodes_running > 0 || late) sweep_zombies();
}

std::vector<int64_t> NodeMembership::gone_nodes() {
  std::vector<int64_t> gone;
  auto nodes = db_.read(
      [&](store::Connection& c) { return store::nodes_with_running_jobs(c, options_.node); });
  if (!nodes) {
    log::error("zombie check: " + nodes.error().message);
    return gone;
  }
  // A node whose lock is free may be gone, or reconnecting (its session was cut, the database
  // restarted): it is gone once its lock stays free for two safety polls.
  const EpochMs now = clock_.now_ms();
  const EpochMs confirm_after = std::max<EpochMs>(2 * options_.safety_poll_ms, 1000);
  std::unordered_map<int64_t, EpochMs> still_suspected;
  for (int64_t node : *nodes) {
    auto is_gone = db_.read([&](store::Connection& c) { return store::node_is_gone(c, node); });
    if (!is_gone || !*is_gone) continue;
    auto since = suspected_gone_.find(node);
    EpochMs first_seen = since == suspected_gone_.end() ? now : since->second;
    if (now - first_seen < confirm_after) {
      still_suspected[node] = first_seen;
      continue;
    }
    gone.push_back(node);
    // Its same_worker flows go on elsewhere (their shared folder went with it).
    db_.write(
        [node](store::Connection& c) -> Status {
          MR_TRY(store::unpin_jobs_of_node(c, node));
          return notify_nodes(c, Notice::ready());
        },
        {});
  }
  suspected_gone_ = std::move(still_suspected);
  return gone;
}

std::vector<std::string> NodeMembership::sweep_zombies() {
  std::vector<std::string> settled;
  std::vector<int64_t> gone = gone_nodes();
  EpochMs stale_before = clock_.now_ms() - options_.zombie_timeout_ms;
  auto zombies =
      db_.read([&](store::Connection& c) { return store::zombie_jobs(c, gone, stale_before); });
  if (!zombies) {
    log::error("zombie check: " + zombies.error().message);
    return settled;
  }
  for (const auto& zombie : *zombies) {
    auto view = db_.read([&](store::Connection& c) { return store::get_job_by_id(c, zombie.id); });
    if (!view || !*view || !(*view)->queued || !(*view)->queued->running) continue;
    // Listed twice (gone and late), or already restarted and claimed again: not that run.
    if ((*view)->queued->worker != zombie.worker) continue;
    auto restarted = queue_.restart(**view, zombie.worker);
    if (!restarted) {
      log::error("zombie check of job " + zombie.id + ": " + restarted.error().message,
                 {{"job_id", zombie.id}});
      continue;
    }
    settled.push_back(zombie.id);
    log::warn("job " + zombie.id + " of worker " + zombie.worker +
                  " is a zombie (its node is gone, or stopped pinging it): " +
                  (*restarted ? "restarted" : "settled"),
              {{"job_id", zombie.id}, {"worker", zombie.worker}});
  }
  return settled;
}

}  // namespace millrace::queue
