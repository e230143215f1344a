// identity: passes the previous result on, with no job.
#include "flow/modules/registry.h"

namespace millrace::flow {
namespace {

class IdentityModule : public ModuleHandler {
 public:
  StepEnd start(StepContext&, const ojson&, ModuleStatus&, const ojson& prev) const override {
    return succeeded(prev, true);
  }
  StepEnd poll(StepContext& ctx, const ojson&, ModuleStatus& ms, const ojson&) const override {
    return job_end(ctx, ms);  // never started a job: it ended in start()
  }
};

}  // namespace

const ModuleHandler& identity_module() {
  static const IdentityModule kHandler;
  return kHandler;
}

}  // namespace millrace::flow
