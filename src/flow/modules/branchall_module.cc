// branchall: every branch runs, as one body job each (side by side unless `parallel` is false);
// the result is the array of the branches' results. A branch with `skip_failure` may fail.
#include "flow/modules/fan_out.h"
#include "flow/modules/registry.h"
#include "flow/step_context.h"
#include "flow/step_jobs.h"

namespace millrace::flow {
namespace {

const ojson* branches_of(const ojson& v) {
  const ojson* branches = field(v, "branches");
  return branches && branches->is_array() ? branches : nullptr;
}

class BranchAllModule : public FanOutModule {
 public:
  StepEnd start(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                const ojson& prev) const override {
    const ojson* branches = branches_of(value_of(m));
    ms.branchall = BranchAllProgress{0, branches ? branches->size() : 0};
    return begin(ctx, m, ms, prev);
  }

 protected:
  std::optional<size_t> total(const ojson& v, const ModuleStatus&) const override {
    const ojson* branches = branches_of(v);
    return branches ? branches->size() : 0;
  }
  bool skips_failure(const ojson& v, size_t k) const override {
    return flag(branches_of(v)->at(k), "skip_failure");
  }
  // Windmill's default when absent: branches run side by side.
  bool parallel(const ojson& v) const override {
    const ojson* p = field(v, "parallel");
    return p ? p->is_boolean() && p->get<bool>() : true;
  }
  queue::NewJob body(StepContext& ctx, const ojson& m, ModuleStatus& ms, size_t k) const override {
    const ojson* modules = field(branches_of(value_of(m))->at(k), "modules");
    if (ms.branchall) ms.branchall->branch = k;
    return body_job(ctx.flow(), str(m, "id"), ctx.flow_value(), modules ? *modules : ojson::array(),
                    ctx.args(), ctx.now());
  }
};

}  // namespace

const ModuleHandler& branchall_module() {
  static const BranchAllModule kHandler;
  return kHandler;
}

}  // namespace millrace::flow
