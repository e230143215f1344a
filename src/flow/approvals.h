// The answers to approval steps (a module's `suspend`) from outside the flow: which step a
// resume URL names and the flow it holds, what that step asks of an approver, and an answer
// recorded, after which the flow is woken (its next advance counts the answers: modules/
// suspend.h). The URLs and their signatures are the API's (api/flow_resume_routes.cc).
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/error.h"
#include "store/jobs.h"

namespace millrace::store {
class Database;
}
namespace millrace::queue {
class JobQueue;
}

namespace millrace::flow {

// A step of a flow, and that flow, while it is not over.
struct SuspendedStep {
  store::JobView step;
  store::JobView flow;
};

// What a step's `suspend` asks of whoever answers it.
struct ApprovalRules {
  bool groups_required = false;         // user_groups_required (no groups exist here)
  bool user_auth_required = false;      // a logged-in member of the workspace answers
  bool self_approval_disabled = false;  // and not the flow's own author
};

// One answer to a suspended step.
struct ApprovalAnswer {
  std::string step_id;  // the step's job
  int64_t resume_id = 0;
  std::string payload_json = "null";
  std::optional<std::string> approver;
  bool approved = true;
};

class Approvals {
 public:
  Approvals(store::Database& db, queue::JobQueue& queue, const Clock& clock)
      : db_(db), queue_(queue), clock_(clock) {}

  // The step `step_id` of workspace `ws` and its flow; 404 when there is no such step, or its
  // flow is over.
  Result<SuspendedStep> find(const std::string& ws, const std::string& step_id);
  // The `suspend` of the step's module in the flow's pinned value (none: all false).
  static ApprovalRules rules_of(const SuspendedStep& found);
  // Records the answer, then wakes the flow; `done` is called after the commit (on the
  // writer thread): 400 when that resume id was already answered.
  void answer(const SuspendedStep& found, ApprovalAnswer answer,
              std::function<void(const Status&)> done);

 private:
  store::Database& db_;
  queue::JobQueue& queue_;
  const Clock& clock_;
};

}  // namespace millrace::flow
