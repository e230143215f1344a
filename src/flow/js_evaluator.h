// Flow expressions (input transforms, stop/skip predicates, loop iterators) in full modern
// JavaScript, evaluated by a small pool of persistent Node.js processes. Each
// process compiles an expression once and answers a call in tens of microseconds; one stuck in
// a loop is killed at the deadline and replaced, and only that evaluation fails.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/process.h"
#include "runtime/sandbox.h"

namespace millrace::sandbox {
class Isolation;
class Cell;
class CellFolder;
}  // namespace millrace::sandbox

namespace millrace::flow {

struct EvalOutcome {
  bool ok = false;
  std::string value_json;  // when ok: the value as JSON (undefined is null)
  std::string error;       // when not: what went wrong, in words
};

struct JsEvaluatorOptions {
  std::string node;                      // absolute path of the node binary
  size_t processes = 2;                  // evaluations run in parallel up to this
  int64_t timeout_ms = 1000;             // one evaluation's budget
  std::optional<runtime::JobUser> user;  // unsandboxed: evaluators run as the job user
  std::string work_dir;                  // unsandboxed: their (empty) working folder
  int64_t heap_mb = 64;                  // V8 old-space limit per process
  // Set: each evaluator runs in a cell of its own, without network, like a job.
  sandbox::Isolation* isolation = nullptr;
};

class JsEvaluator {
 public:
  explicit JsEvaluator(JsEvaluatorOptions options);
  ~JsEvaluator();
  JsEvaluator(const JsEvaluator&) = delete;
  JsEvaluator& operator=(const JsEvaluator&) = delete;

  // Evaluates `expr` with the names of `context_json` (an object: flow_input, results,
  // previous_result, result, params, error, flow_env, ...) bound, in the context of
  // `workspace` (what one workspace's expressions do is never seen by another's). Thread-safe;
  // blocks the caller until the answer or the deadline.
  EvalOutcome evaluate(const std::string& expr, const std::string& context_json,
                       const std::string& workspace = "");

  // Processes started so far (restarts included), for tests and logs.
  int64_t started_processes() const;

 private:
  struct Slot {
    Slot();
    ~Slot();
    runtime::PipedProcess process;
    std::string pending;  // bytes read past the last answer
    bool busy = false;
    std::unique_ptr<sandbox::Cell> cell;  // sandboxed: made on first start, kept
    std::unique_ptr<sandbox::CellFolder> folder;
  };
  bool ensure_started(Slot& slot, std::string& error);
  bool await_ready(Slot& slot, std::string& error);
  EvalOutcome exchange(Slot& slot, const std::string& line);

  JsEvaluatorOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable free_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int64_t started_ = 0;
  int64_t next_id_ = 1;
};

}  // namespace millrace::flow
