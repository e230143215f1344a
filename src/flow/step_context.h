// What the modules of a flow work with during one advance: the flow and its state, its steps'
// outcomes (read once, cached), its expressions and their scope, and the jobs the advance
// starts or cancels. One context per advance, on one thread.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "flow/expressions.h"
#include "flow/flow_status.h"
#include "flow/step_access.h"
#include "queue/job_queue.h"

namespace millrace::store {
class Database;
}

namespace millrace::flow {

// A read of the store failed: the advance is tried again shortly; the flow is not failed.
struct StoreUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class StepContext {
 public:
  // `flow` and `status` outlive the context; `status` is the state the modules change.
  StepContext(store::Database& db, const Expressions& expressions, StepAccess* access, EpochMs now,
              const store::JobRecord& flow, FlowStatus& status);
  ~StepContext();

  store::Database& db() { return db_; }
  StepAccess* access() { return access_; }  // null: no check
  EpochMs now() const { return now_; }
  const store::JobRecord& flow() const { return flow_; }
  const ojson& flow_value() const { return value_; }      // the OpenFlow value run
  const ojson& modules() const { return modules_; }       // its top-level modules
  const ojson& args() const { return args_; }             // the flow's input
  void set_args(ojson args) { args_ = std::move(args); }  // what its preprocessor made of it
  FlowStatus& status() { return status_; }

  // --- steps' outcomes (StoreUnavailable when they cannot be read) ---------------------------
  // Reads the outcomes of those of `ids` not read yet, in one query.
  void fetch(const std::vector<std::string>& ids);
  // The outcome of a finished job; nullptr while it runs.
  const store::StepOutcome* outcome(const std::string& job_id);
  // A finished job's result (null while it runs).
  ojson job_result(const std::string& job_id);
  // A finished module's result: kept inline, or its job's, or its loop's or branches' array.
  ojson module_result(const ModuleStatus& ms);
  // What module i sees as previous_result: the flow's input for the first.
  ojson previous_result(size_t i);
  // The stored job (nullopt when there is none).
  std::optional<store::JobView> read_job(const std::string& id);

  // --- expressions -------------------------------------------------------------------------
  // The names an expression sees: `prev` as previous_result, `result` and `params` when given.
  Scope scope(const ojson& prev, const ojson* result, const ojson* params);
  // A failing expression fails its step, with the step, the input and the text named in
  // `error` ({"error": ...}).
  bool eval(const std::string& expr, const std::string& what, const std::string& step_id,
            const Scope& s, ojson& value, ojson& error);
  // An InputTransform ({type: static, value} or {type: javascript, expr}) or a plain value.
  bool eval_input(const ojson& transform, const std::string& what, const std::string& step_id,
                  const Scope& s, ojson& value, ojson& error);
  // While set, expressions see `error` (the failure the failure module handles, or the one a
  // retry_if judges). Not owned.
  void set_error(const ojson* error) { error_ = error; }
  const ojson* error() const { return error_; }

  // --- the advance's effects -----------------------------------------------------------------
  void start(queue::NewJob job) { steps_.push_back(std::move(job)); }
  void cancel(const std::string& job_id) { cancels_.push_back(job_id); }
  std::vector<queue::NewJob> take_started() { return std::move(steps_); }
  std::vector<std::string> take_canceled() { return std::move(cancels_); }

 private:
  void add_results(const FlowStatus& status, const std::string& expr, ojson& out);
  ojson results_named_in(const std::string& expr);

  store::Database& db_;
  const Expressions& expressions_;
  StepAccess* access_;
  EpochMs now_;
  const store::JobRecord& flow_;
  FlowStatus& status_;
  ojson value_, modules_, args_, env_ = ojson::object();
  const ojson* error_ = nullptr;
  std::unordered_map<std::string, store::StepOutcome> outcomes_;
  std::vector<queue::NewJob> steps_;
  std::vector<std::string> cancels_;
};

}  // namespace millrace::flow
