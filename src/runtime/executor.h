// Runs one job's code to a result. One executor per language; the worker picks it by the
// job's language. Executors never touch the database: input in, outcome out, logs to a sink.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "runtime/interpreters.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"
#include "runtime/signature.h"
#include "sandbox/cgroups.h"

namespace millrace::sandbox {
class Cell;
}

namespace millrace::runtime {

class WarmInterpreters;

struct JobRunRequest {
  std::string job_id;
  std::string workspace_id;
  std::string language;
  std::string content;
  std::string args_json;  // a JSON object
  // The args are a trigger's event: the script's `preprocessor` runs on them first, and main
  // gets what it returns (Python, TypeScript/JavaScript).
  bool preprocess = false;
  std::vector<std::string> job_env;  // WM_WORKSPACE=..., WM_TOKEN=..., ...
  int64_t timeout_ms = 0;
  std::string shared_folder_id;  // a step of a same_worker flow: ./shared is its flow's folder
  int64_t memory_limit_mb = 0;   // 0: none (Python, Bash: address space; Node: V8 heap)
  uint64_t max_result_bytes = 64ull * 1024 * 1024;  // a larger result fails the job
  // Set for a warm run (Python, TypeScript/JavaScript): the worker slot's interpreters, one of
  // which runs the job. Null: a new process for this job alone.
  WarmInterpreters* warm = nullptr;
  // Sandboxed: the worker slot's cell, where a cold job runs. Null: unsandboxed.
  sandbox::Cell* cell = nullptr;
  bool network = true;   // false: the job gets an empty network namespace
  std::string identity;  // who the job runs as (warm interpreters are never shared across)
  // The folders of the packages its lock names, as the job sees them (first on its import
  // path). Part of a warm interpreter's key: a new lock gets a new interpreter.
  std::vector<std::string> import_path;
};

struct JobRunOutcome {
  bool success = false;
  // On success the result; on failure the error object {name, message, stack?, exit_code?}.
  std::string result_json;
  bool canceled = false;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                            const CancelSignal* cancel) = 0;
};

// What the workers run jobs through: Runtimes below, or a stand-in in the workers' own tests.
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  // Runs one job to its end (blocking), streaming its output to `logs`; `cancel`, when it
  // fires, stops it (the outcome is then `canceled`). Thread-safe: each worker calls it.
  virtual JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                            const CancelSignal* cancel) = 0;
  // A same_worker flow has ended: its steps' shared folder goes.
  virtual void remove_shared_folder(const std::string& id) const = 0;
  // Where and as whom jobs run (the workers make their cells and warm interpreters in it).
  virtual const Sandbox& sandbox() const = 0;
};

// Every language this build runs, keyed by Windmill's language names.
class Runtimes final : public JobRunner {
 public:
  // Job folders are made under sandbox.job_root (the Python wrapper is written there once).
  Runtimes(const Sandbox& sandbox, Interpreters interpreters);
  ~Runtimes() override;
  bool supports(const std::string& language) const;
  JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel) override;
  void remove_shared_folder(const std::string& id) const override;
  const Sandbox& sandbox() const override { return sandbox_; }

 private:
  Sandbox sandbox_;
  std::unique_ptr<Executor> python_;
  std::unique_ptr<Executor> bash_;
  std::unique_ptr<Executor> node_;  // TypeScript and JavaScript
};

// Shared by the executors.
std::unique_ptr<Executor> make_bash_executor(Sandbox sandbox, std::string bash);
std::unique_ptr<Executor> make_python_executor(Sandbox sandbox, std::string python3);
// Without esbuild, TypeScript jobs fail with a message saying how to install it. With the
// windmill-client package, jobs import it by name.
std::unique_ptr<Executor> make_node_executor(Sandbox sandbox, std::string node,
                                             std::optional<std::string> esbuild,
                                             std::optional<std::string> windmill_client);
std::string error_object(const std::string& name, const std::string& message);
// The failure of a child that exited non-zero without writing an error into result.json.
std::string exit_error(const std::string& program, const ProcessOutcome& p,
                       const std::string& log_tail);
// A child that ended without writing its outcome: exit_error, except that a full Node.js heap
// (V8 aborts the process and says so in its last words) is a MemoryError.
std::string crash_error(const std::string& program, const ProcessOutcome& p,
                        const std::string& log_tail);
std::string timeout_error(int64_t timeout_ms);
// A failure that came from the memory limit (MemoryError, V8's heap, a failed allocation) says
// so, with the limit.
void explain_memory_failure(const JobRunRequest& req, JobRunOutcome& out);
// PATH, HOME (the job's folder), TMPDIR and the locale.
std::vector<std::string> base_environment(const std::string& home, const std::string& tmp);
// Writes a language's wrapper program into the sandbox's runtime folder (readable by jobs,
// writable by the server only) and answers the path jobs run it by.
std::string install_wrapper(const Sandbox& sandbox, const std::string& name, const char* text);
// Why `text` cannot be a job's result (not JSON, or nested too deeply), or empty when it can.
std::string result_json_problem(const std::string& text);

// Keeps the last bytes of a job's output, for error messages.
class LogTail {
 public:
  void add(std::string_view chunk);
  const std::string& text() const { return tail_; }
  // The last non-empty line, trimmed.
  std::string last_line() const;

 private:
  std::string tail_;
};

class JobFolder;

// What every job's process gets: its folder as cwd and HOME, the clean environment plus the
// job's variables, the timeout and (when `limit_address_space`) the memory limit; in a cell,
// its jail (the folder's binds, the job's network), else the job user.
Result<ProcessSpec> job_process_spec(const Sandbox& sandbox, const JobFolder& folder,
                                     const JobRunRequest& req, bool limit_address_space);

// A job's process run to its end, its output sent to the logs and its tail kept for errors.
struct JobProcess {
  ProcessOutcome outcome;
  LogTail tail;
  // Set when the job ends here: not started, canceled, timed out, over one of its cell's
  // limits.
  std::optional<JobRunOutcome> ended;
};
JobProcess run_job_process(ProcessSpec spec, const JobFolder& folder, const JobRunRequest& req,
                           const OutputSink& logs, const CancelSignal* cancel);
// The failure of a job that went over a limit of its cell (the message names the setting).
JobRunOutcome limit_failure(const std::string& message);
// After a sandboxed job failed: which limit of `cell` it went over since `before`, if any (the
// cgroup's counters, then a full scratch); empty when none.
std::string limit_behind_failure(const sandbox::Cell& cell, const sandbox::CgroupUsage& before);

// The outcome a wrapper (Python's, Node's) left in ./result.json: the result on exit 0, the
// error object otherwise; when it is missing or not JSON, what went wrong in words.
JobRunOutcome outcome_from_result_file(const JobFolder& folder, const JobProcess& run,
                                       const JobRunRequest& req, const std::string& program);
// A result file over the request's limit, said with the setting that sets it.
std::string result_too_large(const Error& e);

}  // namespace millrace::runtime
