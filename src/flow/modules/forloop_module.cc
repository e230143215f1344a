// forloopflow: its body runs once per item of `iterator` (evaluated once, when the loop
// starts), with flow_input.iter = {value, index}; by default one at a time, and a failed
// iteration is passed over (skip_failures).
#include "flow/modules/fan_out.h"
#include "flow/modules/registry.h"
#include "flow/step_context.h"
#include "flow/step_jobs.h"

namespace millrace::flow {
namespace {

constexpr size_t kShownIteratorChars = 200;

class ForLoopModule : public FanOutModule {
 public:
  StepEnd start(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                const ojson& prev) const override {
    const std::string id = str(m, "id");
    ojson items, error;
    const ojson* iterator = field(value_of(m), "iterator");
    if (!iterator) return failed(error_result("ExecutionErr", "step `" + id + "`: no iterator"));
    if (!ctx.eval_input(*iterator, "iterator", id, ctx.scope(prev, nullptr, nullptr), items,
                        error)) {
      return failed(error);
    }
    if (!items.is_array()) {
      std::string shown = text_of(items);
      if (shown.size() > kShownIteratorChars) shown = shown.substr(0, kShownIteratorChars) + "…";
      return failed(error_result("ExecutionErr",
                                 "step `" + id + "`: the iterator is not an array: " + shown));
    }
    ms.iterator = LoopIterator{0, std::move(items)};
    return begin(ctx, m, ms, prev);
  }
  bool is_loop() const override { return true; }

 protected:
  std::optional<size_t> total(const ojson&, const ModuleStatus& ms) const override {
    if (!ms.iterator || !ms.iterator->itered) {
      throw std::invalid_argument("its state is not valid: a for-loop without its items");
    }
    return ms.iterator->itered->size();
  }
  // Windmill's default when absent: for-loops pass over failed iterations.
  bool skips_failure(const ojson& v, size_t) const override {
    const ojson* skip = field(v, "skip_failures");
    return skip ? skip->is_boolean() && skip->get<bool>() : true;
  }
  bool parallel(const ojson& v) const override { return flag(v, "parallel"); }
  queue::NewJob body(StepContext& ctx, const ojson& m, ModuleStatus& ms, size_t k) const override {
    const ojson& v = value_of(m);
    ms.iterator->index = k;
    return body_job(ctx.flow(), str(m, "id"), ctx.flow_value(),
                    field(v, "modules") ? v["modules"] : ojson::array(),
                    iteration_args(ctx.args(), (*ms.iterator->itered)[k], k), ctx.now());
  }
};

}  // namespace

const ModuleHandler& forloop_module() {
  static const ForLoopModule kHandler;
  return kHandler;
}

}  // namespace millrace::flow
