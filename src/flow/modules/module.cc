#include "flow/modules/module.h"

#include "flow/step_context.h"
#include "store/jobs.h"

namespace millrace::flow {
namespace {

StepEnd unsupported(const ojson& module) {
  return failed(error_result("ExecutionErr", "step `" + str(module, "id") + "`: modules of type `" +
                                                 str(value_of(module), "type") +
                                                 "` are not supported by Millrace"));
}

}  // namespace

StepEnd start_module(StepContext& ctx, const ojson& m, ModuleStatus& ms, const ojson& prev) {
  const std::string id = str(m, "id");
  if (const ojson* skip = field(m, "skip_if"); skip && skip->is_object()) {
    ojson yes, error;
    if (!ctx.eval(str(*skip, "expr"), "skip_if", id, ctx.scope(prev, nullptr, nullptr), yes,
                  error)) {
      return failed(error);
    }
    if (Expressions::truthy(yes)) {
      ms.skipped = true;
      return succeeded(prev, true);
    }
  }
  if (const ojson* mock = field(m, "mock"); mock && flag(*mock, "enabled")) {
    return succeeded(mock->contains("return_value") ? (*mock)["return_value"] : ojson(), true);
  }
  const ModuleHandler* handler = handler_for(str(value_of(m), "type"));
  return handler ? handler->start(ctx, m, ms, prev) : unsupported(m);
}

StepEnd poll_module(StepContext& ctx, const ojson& m, ModuleStatus& ms, const ojson& prev) {
  const ModuleHandler* handler = handler_for(str(value_of(m), "type"));
  return handler ? handler->poll(ctx, m, ms, prev) : unsupported(m);
}

StepEnd job_end(StepContext& ctx, const ModuleStatus& ms) {
  const store::StepOutcome* o = ms.job ? ctx.outcome(*ms.job) : nullptr;
  if (!o) return waits();
  ojson result = parse_or_null(o->result_json);
  if (o->status == JobStatus::Success) return succeeded(std::move(result));
  return failed(std::move(result));
}

}  // namespace millrace::flow
