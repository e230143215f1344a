// whileloopflow: its body runs again and again, one iteration at a time (flow_input.iter.value
// is the index), until a stop_after_if stops it; a failed iteration fails the loop unless
// skip_failures says otherwise.
#include "flow/modules/fan_out.h"
#include "flow/modules/registry.h"
#include "flow/step_context.h"
#include "flow/step_jobs.h"

namespace millrace::flow {
namespace {

class WhileLoopModule : public FanOutModule {
 public:
  StepEnd start(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                const ojson& prev) const override {
    ms.iterator = LoopIterator{};
    return begin(ctx, m, ms, prev);
  }
  bool is_loop() const override { return true; }

 protected:
  std::optional<size_t> total(const ojson&, const ModuleStatus&) const override {
    return std::nullopt;
  }
  bool skips_failure(const ojson& v, size_t) const override { return flag(v, "skip_failures"); }
  bool parallel(const ojson&) const override { return false; }
  queue::NewJob body(StepContext& ctx, const ojson& m, ModuleStatus& ms, size_t k) const override {
    const ojson& v = value_of(m);
    if (!ms.iterator) ms.iterator = LoopIterator{};
    ms.iterator->index = k;
    return body_job(ctx.flow(), str(m, "id"), ctx.flow_value(),
                    field(v, "modules") ? v["modules"] : ojson::array(),
                    iteration_args(ctx.args(), ojson(k), k), ctx.now());
  }
};

}  // namespace

const ModuleHandler& whileloop_module() {
  static const WhileLoopModule kHandler;
  return kHandler;
}

}  // namespace millrace::flow
