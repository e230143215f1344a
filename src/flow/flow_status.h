// A flow run's state (`job.flow_status`), typed. An advance parses it once when it starts and
// writes it once when it ends; everything in between works on these structs. The JSON keeps
// Windmill's shape, which `wmill flow run`, the web app and the API's callers read:
//   {"step": 1, "modules": [{"id": "a", "type": "Success", "job": "<uuid>"}, ...],
//    "failure_module": {"id": "failure", "type": "WaitingForPriorSteps"}}
// with Millrace's own keys beside them while they apply (failed, stopped_early, sleep_until,
// suspended, resumed).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "flow/json_fields.h"

namespace millrace::flow {

// Where a module is (Windmill's names).
enum class ModuleState {
  WaitingForPriorSteps,  // not started
  InProgress,            // its jobs run
  Success,
  Failure,
  WaitingForEvents,  // the step after an approval step, while the answers are awaited
};
const char* to_string(ModuleState state);
std::optional<ModuleState> parse_module_state(std::string_view text);

// A loop's progress: the iteration last started, and a for-loop's items.
struct LoopIterator {
  size_t index = 0;
  std::optional<ojson> itered;  // for-loops: the array iterated (itered_len is its size)
};

// Loops and branchall: the body jobs started, in order, and for each whether it succeeded
// (unset while it runs).
struct FanOutStatus {
  std::vector<std::string> jobs;
  std::vector<std::optional<bool>> succeeded;
};

// A step's retries so far.
struct RetryStatus {
  int64_t fail_count = 0;
  std::vector<std::string> failed_jobs;
};

// branchone: the branch taken; unset, the default.
struct BranchChosen {
  std::optional<size_t> branch;
};

// branchall: the branch last started, and how many there are.
struct BranchAllProgress {
  size_t branch = 0;
  size_t len = 0;
};

// One answer that let an approval step go on.
struct Approval {
  int64_t resume_id = 0;
  std::string approver;
};

struct ModuleStatus {
  explicit ModuleStatus(std::string module_id = "",
                        ModuleState module_state = ModuleState::WaitingForPriorSteps)
      : id(std::move(module_id)), state(module_state) {}

  std::string id;
  ModuleState state = ModuleState::WaitingForPriorSteps;
  std::optional<std::string> job;  // the step's job (a branchone: its chosen body's)
  std::optional<FanOutStatus> fan_out;
  std::optional<LoopIterator> iterator;
  std::optional<BranchChosen> branch_chosen;
  std::optional<BranchAllProgress> branchall;
  std::optional<RetryStatus> retry;
  bool skipped = false;
  // A result that is no job's (skipped, mocked, identity, an empty loop): kept here. It may be
  // null, which is not the same as absent.
  std::optional<ojson> result;
  std::optional<int64_t> count;  // WaitingForEvents: answers still needed
  std::optional<std::vector<Approval>> approvers;
};

// The flow waits for answers to the approval step `module` (index `index`, job `job`).
struct Suspension {
  std::string job;
  std::string module;
  size_t index = 0;
  int64_t count = 1;  // answers needed
  EpochMs until = 0;  // then it times out
  bool continue_on_disapprove_timeout = false;
};

// What the last approval gave, for the expressions of the step right after it.
struct Resumed {
  ojson resume;     // the last payload
  ojson resumes;    // every payload
  ojson approvers;  // who approved
};

struct FlowStatus {
  size_t step = 0;  // the module the flow is at (== modules.size(): past the last)
  std::vector<ModuleStatus> modules;
  ModuleStatus failure_module{"failure"};
  // A trigger's call: the preprocessor_module runs first, and what it returns is the input
  // every step sees from then on (`flow_input`).
  ModuleStatus preprocessor_module{"preprocessor"};
  std::optional<ojson> preprocessed_args;
  std::optional<ojson> failed;  // the failure being handled, {"error": {..., "step_id"}}
  bool stopped_early = false;   // a stop_after_if ended the flow
  std::optional<EpochMs> sleep_until;
  std::optional<Suspension> suspended;
  std::optional<Resumed> resumed;

  // Before the first step of a flow whose modules are `modules` (an OpenFlow modules array).
  static FlowStatus initial(const ojson& modules);
  // Reads a stored state; throws std::invalid_argument (with what is wrong) when `value` is not
  // one. A value that is not an object or has no modules reads as nullopt (not started).
  static std::optional<FlowStatus> parse(const ojson& value);

  ojson to_json() const;
  std::string to_text() const { return text_of(to_json()); }
};

}  // namespace millrace::flow
