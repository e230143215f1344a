// rawscript, script and flow modules: one job each (the inline code, the saved script, the
// sub-flow), with its input transforms evaluated and its timeout; when it fails, the module's
// `retry` may start another attempt after a delay.
#include <algorithm>
#include <cmath>

#include "flow/modules/module.h"
#include "flow/modules/registry.h"
#include "flow/step_context.h"
#include "flow/step_jobs.h"

namespace millrace::flow {
namespace {

constexpr double kLongestRetryDelayS = 86400.0 * 365;

// The step's arguments from its input_transforms; `params` lets a later input name an earlier.
bool transforms(StepContext& ctx, const ojson& m, const ojson& prev, ojson& args, ojson& error) {
  const std::string id = str(m, "id");
  args = ojson::object();
  ojson params = ojson::object();
  const ojson* list = field(value_of(m), "input_transforms");
  if (!list || !list->is_object()) return true;
  for (const auto& [name, t] : list->items()) {
    ojson v;
    if (!ctx.eval_input(t, "input `" + name + "`", id, ctx.scope(prev, nullptr, &params), v,
                        error)) {
      return false;
    }
    args[name] = v;
    params[name] = std::move(v);
  }
  return true;
}

// Its job, due `delay_ms` from now.
StepEnd start_job(StepContext& ctx, const ojson& m, ModuleStatus& ms, const ojson& prev,
                  EpochMs delay_ms) {
  const std::string id = str(m, "id");
  ojson args, error;
  if (!transforms(ctx, m, prev, args, error)) return failed(error);
  std::optional<int64_t> timeout_s;
  if (const ojson* t = field(m, "timeout")) {
    ojson seconds;
    if (!ctx.eval_input(*t, "timeout", id, ctx.scope(prev, nullptr, &args), seconds, error)) {
      return failed(error);
    }
    if (seconds.is_number()) timeout_s = std::max<int64_t>(1, seconds.get<int64_t>());
  }
  auto job =
      module_job(ctx.db(), ctx.access(), ctx.flow(), id, value_of(m), args, timeout_s, ctx.now());
  if (!job && job.error().server_side()) throw StoreUnavailable(job.error().message);
  if (!job) {
    return failed(error_result("ExecutionErr", "step `" + id + "`: " + job.error().message));
  }
  job->scheduled_for = ctx.now() + delay_ms;
  ms.job = job->job.id;
  ctx.start(std::move(*job));
  return waits();
}

// The delay before the next attempt, in seconds, or nullopt when no attempt remains.
std::optional<double> retry_delay_s(const ojson& r, int64_t fails) {
  const ojson* constant = field(r, "constant");
  const ojson* exponential = field(r, "exponential");
  int64_t constant_attempts = constant ? constant->value("attempts", int64_t{0}) : 0;
  int64_t exponential_attempts = exponential ? exponential->value("attempts", int64_t{0}) : 0;
  if (fails < constant_attempts) return constant->value("seconds", 0.0);
  if (fails - constant_attempts < exponential_attempts) {
    // Windmill's formula: the exponent counts every failure so far, constant ones included.
    int64_t attempt = fails + 1;
    return exponential->value("multiplier", 1.0) *
           std::pow(exponential->value("seconds", 1.0), static_cast<double>(attempt));
  }
  return std::nullopt;
}

// The module's `retry`: another attempt after a delay, while attempts remain and retry_if
// (when given) says so.
std::optional<StepEnd> retry(StepContext& ctx, const ojson& m, ModuleStatus& ms, const ojson& prev,
                             const ojson& error) {
  const ojson* r = field(m, "retry");
  if (!r || !r->is_object()) return std::nullopt;
  int64_t fails = ms.retry ? ms.retry->fail_count : 0;
  std::optional<double> delay_s = retry_delay_s(*r, fails);
  if (!delay_s) return std::nullopt;
  if (const ojson* retry_if = field(*r, "retry_if"); retry_if && retry_if->is_object()) {
    ojson yes, eval_error;
    const ojson* saved = ctx.error();
    ojson error_object = error.contains("error") ? error["error"] : error;
    ctx.set_error(&error_object);
    bool ok = ctx.eval(str(*retry_if, "expr"), "retry_if", str(m, "id"),
                       ctx.scope(prev, &error, nullptr), yes, eval_error);
    ctx.set_error(saved);
    if (!ok) return failed(eval_error);
    if (!Expressions::truthy(yes)) return std::nullopt;
  }
  if (!ms.retry) ms.retry.emplace();
  ms.retry->fail_count = fails + 1;
  if (ms.job) ms.retry->failed_jobs.push_back(*ms.job);
  return start_job(ctx, m, ms, prev,
                   static_cast<EpochMs>(std::min(*delay_s, kLongestRetryDelayS) * 1000));
}

class ScriptModule : public ModuleHandler {
 public:
  StepEnd start(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                const ojson& prev) const override {
    return start_job(ctx, m, ms, prev, 0);
  }
  StepEnd poll(StepContext& ctx, const ojson& m, ModuleStatus& ms,
               const ojson& prev) const override {
    StepEnd end = job_end(ctx, ms);
    if (end.kind != StepEnd::kFailed) return end;
    if (auto again = retry(ctx, m, ms, prev, end.value)) return *again;
    return end;
  }
};

}  // namespace

const ModuleHandler& script_module() {
  static const ScriptModule kHandler;
  return kHandler;
}

}  // namespace millrace::flow
