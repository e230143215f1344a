// branchone: the first branch whose `expr` is true runs (else `default`), as one body job; an
// empty branch passes the previous result on.
#include "flow/modules/registry.h"
#include "flow/step_context.h"
#include "flow/step_jobs.h"

namespace millrace::flow {
namespace {

class BranchOneModule : public ModuleHandler {
 public:
  StepEnd start(StepContext& ctx, const ojson& m, ModuleStatus& ms,
                const ojson& prev) const override {
    const std::string id = str(m, "id");
    const ojson& v = value_of(m);
    const ojson* chosen = field(v, "default");
    ms.branch_chosen = BranchChosen{};
    if (const ojson* branches = field(v, "branches"); branches && branches->is_array()) {
      for (size_t k = 0; k < branches->size(); ++k) {
        ojson yes, error;
        if (!ctx.eval(str((*branches)[k], "expr"), "branch " + std::to_string(k), id,
                      ctx.scope(prev, nullptr, nullptr), yes, error)) {
          return failed(error);
        }
        if (Expressions::truthy(yes)) {
          ms.branch_chosen->branch = k;
          chosen = field((*branches)[k], "modules");
          break;
        }
      }
    }
    if (!chosen || !chosen->is_array() || chosen->empty()) return succeeded(prev, true);
    auto body = body_job(ctx.flow(), id, ctx.flow_value(), *chosen, ctx.args(), ctx.now());
    ms.job = body.job.id;
    ctx.start(std::move(body));
    return waits();
  }
  // A branch is not retried: its own steps are.
  StepEnd poll(StepContext& ctx, const ojson&, ModuleStatus& ms, const ojson&) const override {
    return job_end(ctx, ms);
  }
};

}  // namespace

const ModuleHandler& branchone_module() {
  static const BranchOneModule kHandler;
  return kHandler;
}

}  // namespace millrace::flow
