// What loops and branchall share: one body job per iteration or branch, one at a time or
// `parallelism` at once, and the array of their results, in order, as the module's result. A
// failure ends the module (its unfinished bodies are canceled) unless it is one to skip.
#pragma once

#include <optional>

#include "flow/modules/module.h"
#include "queue/job_queue.h"

namespace millrace::flow {

class FanOutModule : public ModuleHandler {
 public:
  StepEnd poll(StepContext& ctx, const ojson& module, ModuleStatus& ms,
               const ojson& prev) const override;

 protected:
  // How many bodies there are; nullopt: until the loop stops itself (a while-loop).
  virtual std::optional<size_t> total(const ojson& value, const ModuleStatus& ms) const = 0;
  // Whether a failure of body `k` is passed over (its error is then its result).
  virtual bool skips_failure(const ojson& value, size_t k) const = 0;
  // Whether bodies run side by side (`parallel`, with this kind's default).
  virtual bool parallel(const ojson& value) const = 0;
  // The job of body `k` (recording in `ms` that it is the one started last).
  virtual queue::NewJob body(StepContext& ctx, const ojson& module, ModuleStatus& ms,
                             size_t k) const = 0;
  // The first advance: records the bodies to come in `ms`, then starts them.
  StepEnd begin(StepContext& ctx, const ojson& module, ModuleStatus& ms, const ojson& prev) const;
};

// `iter` for body `k` of a loop: the flow's input with {"iter": {"value", "index"}}.
ojson iteration_args(const ojson& flow_args, const ojson& item, size_t k);

}  // namespace millrace::flow
