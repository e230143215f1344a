#include "flow/modules/fan_out.h"

#include "flow/step_context.h"
#include "store/jobs.h"

namespace millrace::flow {
namespace {

bool body_may_stop(const ojson& loop_value) {
  const ojson* modules = field(loop_value, "modules");
  if (!modules || !modules->is_array()) return false;
  for (const auto& m : *modules) {
    if (field(m, "stop_after_if")) return true;
  }
  return false;
}

// A step of the iteration's body ended it early with its stop_after_if.
bool iteration_stopped_early(StepContext& ctx, const std::string& iteration) {
  auto view = ctx.read_job(iteration);
  if (!view || !view->completed || view->completed->status != JobStatus::Success) return false;
  auto status = FlowStatus::parse(parse_or_null(view->job.flow_status.value_or("{}")));
  return status && status->stopped_early;
}

}  // namespace

ojson iteration_args(const ojson& flow_args, const ojson& item, size_t k) {
  ojson args = flow_args;
  args["iter"] = {{"value", item}, {"index", k}};
  return args;
}

StepEnd FanOutModule::begin(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                            const ojson& prev) const {
  ms.fan_out = FanOutStatus{};
  if (total(value_of(m), ms) == size_t{0}) return succeeded(ojson::array(), true);
  return poll(ctx, m, ms, prev);
}

StepEnd FanOutModule::poll(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                           const ojson& prev) const {
  const std::string id = str(m, "id");
  const ojson& v = value_of(m);
  if (!ms.fan_out) ms.fan_out = FanOutStatus{};
  auto& jobs = ms.fan_out->jobs;
  auto& ok = ms.fan_out->succeeded;
  const std::optional<size_t> count = total(v, ms);

  std::vector<std::string> unfinished;
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (!ok[k]) unfinished.push_back(jobs[k]);
  }
  ctx.fetch(unfinished);
  size_t running = 0;
  std::optional<size_t> failure;
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (!ok[k]) {
      const store::StepOutcome* o = ctx.outcome(jobs[k]);
      if (!o) {
        ++running;
        continue;
      }
      ok[k] = o->status == JobStatus::Success;
    }
    if (!*ok[k] && !skips_failure(v, k) && !failure) failure = k;
  }
  if (failure) {
    for (size_t k = 0; k < jobs.size(); ++k) {
      if (!ok[k]) ctx.cancel(jobs[k]);
    }
    return failed(ctx.job_result(jobs[*failure]));
  }
  const bool side_by_side = parallel(v);
  // Sequential loops: stop_after_if breaks out after an iteration; so does a step of the body
  // that stopped its iteration early (Windmill's rule).
  if (!side_by_side && running == 0 && !jobs.empty() && is_loop()) {
    if (body_may_stop(v) && iteration_stopped_early(ctx, jobs.back())) {
      return succeeded(ctx.module_result(ms));
    }
    if (const ojson* stop = field(m, "stop_after_if"); stop && stop->is_object()) {
      ojson last = ctx.job_result(jobs.back()), yes, error;
      if (!ctx.eval(str(*stop, "expr"), "stop_after_if", id, ctx.scope(prev, &last, nullptr), yes,
                    error)) {
        return failed(error);
      }
      if (Expressions::truthy(yes)) return succeeded(ctx.module_result(ms));
    }
  }
  size_t limit = 1;
  if (side_by_side) {
    limit = count.value_or(1);
    if (const ojson* p = field(v, "parallelism")) {
      ojson n, error;
      if (!ctx.eval_input(*p, "parallelism", id, ctx.scope(prev, nullptr, nullptr), n, error)) {
        return failed(error);
      }
      if (n.is_number() && n.get<double>() >= 1) limit = n.get<size_t>();
    }
  }
  while (running < limit && (!count || jobs.size() < *count)) {
    queue::NewJob next = body(ctx, m, ms, jobs.size());
    jobs.push_back(next.job.id);
    ok.push_back(std::nullopt);
    ctx.start(std::move(next));
    ++running;
  }
  if (running == 0) return succeeded(ctx.module_result(ms));
  return waits();
}

}  // namespace millrace::flow
