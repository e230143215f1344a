// The ready set of a queue shared by many processes on PostgreSQL (ready_set.h): the table is
// the set. A worker claims on a session of its own with FOR UPDATE SKIP LOCKED, so two nodes
// never get the same row; every write that makes a job claimable, ends one, adds to its logs
// or cancels it also sends a notice (notice.h), which every node hears (NodeMembership hands
// them here): idle workers wake, waiting callers are answered from the table, a running job is
// stopped on whichever node runs it. A parent waiting for its children lets go of its row (not
// claimable until a child ends or it is due). Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "queue/node_membership.h"
#include "queue/ready_set.h"

namespace millrace::queue {

class TableReadySet final : public ReadySet {
 public:
  TableReadySet(Parts parts, SharedQueueOptions options)
      : ReadySet(parts), options_(std::move(options)) {}
  ~TableReadySet() override;

  // Joins the nodes: takes this node's lock, restarts the jobs of nodes that are gone, and
  // starts listening.
  Result<std::vector<std::string>> recover() override;
  Status announce(store::Connection& c, const Notice& notice) const override;
  void added(const std::string&, EpochMs) override { kick_workers(); }
  std::optional<ClaimedJob> claim(const std::string& worker, Wait wait) override;
  void claim_over(const std::string&) override {}
  void wait_for_children(const ClaimedJob& parent, ChildrenWait wait) override;
  void wake_parent(const std::string& parent_id, bool even_if_scheduled) override;
  void answer_waiters_early(const std::string& job_id, const std::string& result_json) override;
  Result<CancelOutcome> cancel(const store::JobView& job, const std::string& canceler,
                               const std::string& reason,
                               std::optional<store::AuditRecord> audit) override;
  void stop() override;
  bool jobs_may_be_taken_back() const override { return true; }

 private:
  Status outcome_written(store::Connection& c, const std::string& id,
                         const std::optional<std::string>& parent, EpochMs now) const override;
  void outcome_stored(const std::optional<std::string>& parent) override;

  // Jobs may have become claimable: the workers here look again.
  void kick_workers();
  Result<std::optional<ClaimedJob>> try_claim(store::Connection& c, const std::string& worker,
                                              EpochMs now, std::optional<EpochMs>& due);
  Result<std::unique_ptr<store::Connection>> take_claim_session();
  void return_claim_session(std::unique_ptr<store::Connection> session);
  void on_notice(const std::string& notice);
  void answer_from_store(const std::string& job_id);
  // A job held by `worker` on a node that is gone or hung (NodeMembership::Queue::restart).
  Result<bool> restart_zombie(const store::JobView& zombie, const std::string& worker);

  const SharedQueueOptions options_;
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  bool stopping_ = false;
  // Bumped whenever jobs may have become claimable: a worker that found none waits only if it
  // is unchanged since it looked.
  uint64_t ready_gen_ = 0;
  std::mutex claim_sessions_mutex_;
  std::vector<std::unique_ptr<store::Connection>> claim_sessions_;
  std::unique_ptr<NodeMembership> membership_;
};

}  // namespace millrace::queue
