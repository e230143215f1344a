#include "flow/flow_run.h"

#include "flow/modules/failure.h"
#include "flow/modules/module.h"
#include "flow/modules/preprocessor.h"
#include "flow/modules/suspend.h"
#include "queue/job_results.h"

namespace millrace::flow {

FlowRun::FlowRun(store::Database& db, const Expressions& expressions, StepAccess* access,
                 EpochMs now, const queue::ClaimedJob& claimed)
    : claimed_(claimed), ctx_(db, expressions, access, now, claimed.job, status_) {
  auto stored = FlowStatus::parse(parse_or_null(claimed.job.flow_status.value_or("{}")));
  status_ = stored ? std::move(*stored) : FlowStatus::initial(ctx_.modules());
  if (status_.modules.size() != ctx_.modules().size()) {
    throw std::invalid_argument("its state names " + std::to_string(status_.modules.size()) +
                                " modules, its value " + std::to_string(ctx_.modules().size()));
  }
  if (status_.preprocessed_args) ctx_.set_args(*status_.preprocessed_args);
}

std::optional<Advance> FlowRun::preprocess() {
  const ojson* module = field(ctx_.flow_value(), "preprocessor_module");
  if (!module || !module->is_object()) {
    return finish(JobStatus::Failure,
                  error_result("ExecutionErr", "the flow has no preprocessor_module"));
  }
  StepEnd end = run_preprocessor(ctx_, *module);
  if (end.kind == StepEnd::kWaits) return wait();
  if (end.kind == StepEnd::kFailed) {
    status_.failed = with_step_id(end.value, "preprocessor");
  } else {
    status_.preprocessed_args = end.value;
    ctx_.set_args(end.value);
  }
  return std::nullopt;
}

Advance FlowRun::run() {
  if (claimed_.canceled_by) return cancel();
  if (claimed_.job.preprocess && !status_.preprocessed_args && !status_.failed) {
    if (auto over = preprocess()) return std::move(*over);
  }
  const ojson& modules = ctx_.modules();
  while (true) {
    // Asleep after a step: an early wake (an answer, a stray completion) changes nothing.
    if (status_.sleep_until) {
      if (ctx_.now() < *status_.sleep_until) {
        due_ = status_.sleep_until;
        return wait();
      }
      status_.sleep_until.reset();
    }
    if (status_.suspended && !take_answers(ctx_, due_)) return wait();
    if (status_.failed) return after_failure();
    const size_t i = status_.step;
    if (i >= modules.size()) return finish(JobStatus::Success, ctx_.previous_result(i));
    const ojson& m = modules[i];
    ModuleStatus& ms = status_.modules[i];
    ojson prev = ctx_.previous_result(i);
    StepEnd end = ms.state == ModuleState::WaitingForPriorSteps ? start_module(ctx_, m, ms, prev)
                                                                : poll_module(ctx_, m, ms, prev);
    if (end.kind == StepEnd::kWaits) {
      ms.state = ModuleState::InProgress;
      return wait();
    }
    if (end.kind == StepEnd::kFailed && !flag(m, "continue_on_error")) {
      ms.state = ModuleState::Failure;
      status_.failed = with_step_id(end.value, str(m, "id"));
      continue;
    }
    // Succeeded, or failed with continue_on_error (shown as failed, as Windmill does): its
    // result is its error, and on we go.
    ms.state = end.kind == StepEnd::kSucceeded ? ModuleState::Success : ModuleState::Failure;
    if (end.kept_inline) ms.result = end.value;
    if (auto over = after_module(i, m, prev, end)) return std::move(*over);
  }
}

std::optional<Advance> FlowRun::after_module(size_t i, const ojson& m, const ojson& prev,
                                             const StepEnd& end) {
  const std::string id = str(m, "id");
  status_.resumed.reset();  // what an approval gave is for the step right after it
  if (str(ctx_.flow_value(), "early_return") == id && ctx_.flow().kind != JobKind::FlowNode) {
    out_.early_result = text_of(end.value);
  }
  const ModuleHandler* handler = handler_for(str(value_of(m), "type"));
  const char* stop_key =
      handler && handler->is_loop() ? "stop_after_all_iters_if" : "stop_after_if";
  if (const ojson* stop = field(m, stop_key); stop && stop->is_object()) {
    ojson yes, error;
    if (!ctx_.eval(str(*stop, "expr"), stop_key, id, ctx_.scope(prev, &end.value, nullptr), yes,
                   error)) {
      status_.failed = with_step_id(error, id);
      return std::nullopt;
    }
    if (Expressions::truthy(yes)) {
      status_.step = i + 1;
      status_.stopped_early = true;
      if (const ojson* message = field(*stop, "error_message")) {
        std::string text = message->is_string() ? message->get<std::string>() : "";
        if (text.empty()) text = "stop after if: " + str(*stop, "expr");
        status_.failed = with_step_id(error_result("EarlyStopError", text), id);
        return std::nullopt;
      }
      return finish(JobStatus::Success, end.value);
    }
  }
  status_.step = i + 1;
  if (const ojson* suspend = field(m, "suspend"); suspend && end.kind == StepEnd::kSucceeded &&
                                                  suspend->is_object() &&
                                                  suspend->value("required_events", 0) > 0) {
    suspend_after(ctx_, i, m, *suspend);
    return std::nullopt;
  }
  if (const ojson* sleep = field(m, "sleep")) {
    ojson seconds, error;
    if (!ctx_.eval_input(*sleep, "sleep", id, ctx_.scope(end.value, nullptr, nullptr), seconds,
                         error)) {
      status_.failed = with_step_id(error, id);
      return std::nullopt;
    }
    if (seconds.is_number() && seconds.get<double>() > 0) {
      status_.sleep_until = ctx_.now() + static_cast<EpochMs>(seconds.get<double>() * 1000);
    }
  }
  return std::nullopt;
}

Advance FlowRun::after_failure() {
  const ojson failure = *status_.failed;
  const ojson* handler = field(ctx_.flow_value(), "failure_module");
  if (!handler || !handler->is_object()) return finish(JobStatus::Failure, failure);
  StepEnd end = handle_failure(ctx_, *handler, failure);
  if (end.kind == StepEnd::kWaits) return wait();
  return finish(recovered(end) ? JobStatus::Success : JobStatus::Failure, end.value);
}

// The steps started and not finished, to be canceled when the flow ends before them.
void FlowRun::cancel_unfinished_steps() {
  std::vector<std::string> started;
  auto collect = [&](const ModuleStatus& ms) {
    if (ms.state != ModuleState::InProgress) return;
    if (ms.job) started.push_back(*ms.job);
    if (ms.fan_out) started.insert(started.end(), ms.fan_out->jobs.begin(), ms.fan_out->jobs.end());
  };
  for (const auto& ms : status_.modules) collect(ms);
  collect(status_.failure_module);
  collect(status_.preprocessor_module);
  ctx_.fetch(started);
  for (const auto& id : started) {
    if (!ctx_.outcome(id)) out_.cancel_steps.push_back(id);
  }
}

Advance FlowRun::cancel() {
  cancel_unfinished_steps();
  return finish(JobStatus::Canceled,
                parse_or_null(queue::canceled_result(claimed_.canceled_reason.value_or(""),
                                                     *claimed_.canceled_by)));
}

Advance FlowRun::abandon(const std::string& why) {
  cancel_unfinished_steps();
  return finish(JobStatus::Failure, error_result("ExecutionErr", "the flow cannot go on: " + why));
}

Advance FlowRun::finish(JobStatus status, const ojson& result) {
  for (auto& id : ctx_.take_canceled()) out_.cancel_steps.push_back(std::move(id));
  out_.finished = queue::JobOutcome{status, text_of(result), "", status_.to_text()};
  return std::move(out_);
}

Advance FlowRun::wait() {
  for (auto& id : ctx_.take_canceled()) out_.cancel_steps.push_back(std::move(id));
  out_.waits = queue::ChildrenWait{status_.to_text(), ctx_.take_started(), due_};
  return std::move(out_);
}

}  // namespace millrace::flow
