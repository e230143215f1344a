// This process's place among the nodes that share a queue on PostgreSQL.
//
// Every node holds a session-level advisory lock (its "node lock") for as long as it lives, on
// the session that also listens for the queue's notices, and stamps the jobs it runs with its
// node id. A node that is gone (killed, crashed, cut off) has lost its lock, so any other node
// can tell, take its running jobs back and restart them. A node that lives but stopped pinging
// its jobs (hung) is found by the ping age instead.
//
// One thread, started by join(), does it all: it hands each notice to the queue, pings the jobs
// running here, and every safety poll kicks the workers when a job is due (a notice may be
// lost) and sweeps the zombies when another node runs jobs or a ping is late. What a zombie
// becomes (restarted, failed, advanced again) is the queue's decision, asked through `Queue`.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {
class Database;
class NoticeListener;
struct JobView;
}  // namespace millrace::store

namespace millrace::queue {

// How a node takes part in a queue shared on PostgreSQL.
struct SharedQueueOptions {
  int64_t node = 0;                   // this process among the nodes (random, positive, 31 bits)
  EpochMs safety_poll_ms = 5000;      // checks for a lost notice, zombies and gone nodes
  EpochMs zombie_timeout_ms = 60000;  // a running job not pinged for this long is a zombie
  // Called with a zombie's id before it is restarted: kills what its run left on this machine.
  std::function<void(const std::string& job_id)> kill_leftovers;
};

class NodeMembership {
 public:
  // What the membership needs from this node's queue. Each is called on the membership's
  // thread.
  struct Queue {
    std::function<void(const std::string& notice)> on_notice;
    // The jobs this node runs now (pinged while they run).
    std::function<std::vector<std::string>()> running_here;
    // Jobs may be due: the workers look.
    std::function<void()> kick_workers;
    // The listening session was cut, so notices may be lost: callers waiting for jobs look
    // them up.
    std::function<void()> recheck_waiters;
    // A job held by `worker` whose node is gone or hung: restart it (true), or settle it
    // otherwise (false, e.g. failed after too many restarts). Taken only if `worker` still
    // holds it, so two nodes sweeping at once settle it once.
    std::function<Result<bool>(const store::JobView& zombie, const std::string& worker)> restart;
  };

  NodeMembership(store::Database& db, const Clock& clock, SharedQueueOptions options, Queue queue);
  ~NodeMembership();  // stops and joins the thread

  // Takes the node's lock, settles the jobs of nodes already gone and starts the thread.
  // Answers the ids of the zombies it settled.
  Result<std::vector<std::string>> join();
  // Ends the thread's wait at once, and waits for it to stop. Safe from any other thread,
  // more than once.
  void stop();

 private:
  void listen_loop();
  void safety_poll(bool listener_reconnected);
  void ping_running_jobs(EpochMs now);
  std::vector<std::string> sweep_zombies();
  // The nodes running jobs whose lock is free for long enough: they are gone.
  std::vector<int64_t> gone_nodes();

  store::Database& db_;
  const Clock& clock_;
  const SharedQueueOptions options_;
  const Queue queue_;
  std::atomic<bool> stopping_ = false;
  std::unique_ptr<store::NoticeListener> listener_;
  std::mutex join_mutex_;
  std::thread thread_;
  // Nodes whose lock was found free, since when (only the membership's thread uses it).
  std::unordered_map<int64_t, EpochMs> suspected_gone_;
};

}  // namespace millrace::queue
