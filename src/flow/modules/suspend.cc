#include "flow/modules/suspend.h"

#include "flow/step_context.h"
#include "store/database.h"
#include "store/jobs.h"

namespace millrace::flow {
namespace {

// How long an approval step waits when its suspend gives no timeout (Windmill's default).
constexpr int64_t kDefaultSuspendTimeoutS = 30 * 60;

}  // namespace

void suspend_after(StepContext& ctx, size_t i, const ojson& m, const ojson& suspend) {
  FlowStatus& status = ctx.status();
  const std::string id = str(m, "id");
  const std::optional<std::string> step_job = status.modules.at(i).job;
  if (!step_job) {
    status.failed = with_step_id(
        error_result("ExecutionErr", "step `" + id +
                                         "` cannot be approved: its suspend needs a step "
                                         "that runs a job (whose id the resume URLs name)"),
        id);
    return;
  }
  int64_t count = suspend.value("required_events", int64_t{1});
  int64_t timeout_s = suspend.value("timeout", kDefaultSuspendTimeoutS);
  if (timeout_s <= 0) timeout_s = kDefaultSuspendTimeoutS;
  status.suspended = Suspension{*step_job,
                                id,
                                i,
                                count,
                                ctx.now() + timeout_s * 1000,
                                flag(suspend, "continue_on_disapprove_timeout")};
  if (i + 1 < status.modules.size()) {
    ModuleStatus next{str(ctx.modules()[i + 1], "id"), ModuleState::WaitingForEvents};
    next.count = count;
    next.job = *step_job;
    status.modules[i + 1] = std::move(next);
  }
}

bool take_answers(StepContext& ctx, std::optional<EpochMs>& due) {
  FlowStatus& status = ctx.status();
  const Suspension s = *status.suspended;
  auto answers = ctx.db().read([&](store::Connection& c) { return store::list_resumes(c, s.job); });
  if (!answers) throw StoreUnavailable("cannot read the answers: " + answers.error().message);
  ojson payloads = ojson::array(), approvers = ojson::array();
  std::vector<Approval> approvals;
  std::optional<std::string> refused_by;
  for (const auto& a : *answers) {
    if (!a.approved) {
      if (!refused_by) refused_by = a.approver.value_or("unknown");
      continue;
    }
    payloads.push_back(parse_or_null(a.value_json));
    approvers.push_back(a.approver.value_or("anonymous"));
    approvals.push_back(Approval{a.resume_id, a.approver.value_or("anonymous")});
  }
  auto go_on = [&](ojson resume) {
    status.resumed = Resumed{std::move(resume), payloads, approvers};
    status.modules.at(s.index).approvers = approvals;
    if (s.index + 1 < status.modules.size()) {
      status.modules[s.index + 1] = ModuleStatus{str(ctx.modules()[s.index + 1], "id")};
    }
    status.suspended.reset();
    return true;
  };
  auto refuse = [&](ojson error) {
    if (s.continue_on_disapprove_timeout) {
      payloads.push_back(error);
      return go_on(std::move(error));
    }
    status.suspended.reset();
    status.failed = with_step_id(error, s.module);
    return true;
  };
  if (refused_by) {
    return refuse(error_result("SuspendedDisapproved", "Disapproved by " + *refused_by));
  }
  if (static_cast<int64_t>(payloads.size()) >= s.count) return go_on(payloads.back());
  if (ctx.now() >= s.until) {
    return refuse(error_result("SuspendedTimedOut", "Timed out waiting to be resumed"));
  }
  if (s.index + 1 < status.modules.size()) {
    status.modules[s.index + 1].count = s.count - static_cast<int64_t>(payloads.size());
  }
  due = s.until;
  return false;
}

}  // namespace millrace::flow
