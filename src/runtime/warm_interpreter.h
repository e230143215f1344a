// One long-lived interpreter (Python or Node.js) that loads one script version once and runs
// its main for one job after another (docs/architecture.md, "Warm workers"). Protocol, version 1:
//   server → stdin:       "<n>\n" then n bytes of JSON {"cwd", "env": {NAME: value}, "args"}
//   interpreter → fd 3:   "ok <n>\n" (then the result's JSON) or "err <n>\n" (the error object)
// Before each job the interpreter moves to the job's folder and takes the job's environment;
// everything it prints from the request to the reply is that job's logs. It loads ./main.py
// or ./main.mjs from the folder of the first job that gets that far.
#pragma once

#include <memory>
#include <string>

#include "runtime/executor.h"
#include "runtime/process.h"

namespace millrace::runtime {

class WarmInterpreter {
 public:
  // `program` names the interpreter in error messages ("python3", "node").
  static std::unique_ptr<WarmInterpreter> start(const ProcessSpec& spec, std::string program,
                                                std::string& error);
  ~WarmInterpreter();
  WarmInterpreter(const WarmInterpreter&) = delete;
  WarmInterpreter& operator=(const WarmInterpreter&) = delete;

  // Runs one job in `folder` (its main file already there; a path as the interpreter sees it).
  // A crash, a timeout, a cancel or a limit of `cell` (when sandboxed) ends the interpreter, and
  // only this job fails; alive() then says false.
  JobRunOutcome run(const std::string& folder, const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel, const sandbox::Cell* cell = nullptr);
  // False once it has exited or been stopped (it is then reaped).
  bool alive();
  pid_t pid() const { return process_.child.pid; }

 private:
  WarmInterpreter(InterpreterProcess p, std::string program)
      : process_(std::move(p)), program_(std::move(program)) {}
  // The interpreter died; `limit` says which of its cell's limits it went over, if one.
  JobRunOutcome died(const LogTail& tail, const std::string& limit);

  InterpreterProcess process_;
  std::string program_;
};

// The request line's JSON for one job: where it runs, its environment, whether its
// preprocessor runs first, its arguments (the stored JSON object, spliced in as it is).
std::string warm_request(const std::string& folder, const std::vector<std::string>& env,
                         bool preprocess, const std::string& args_json);

}  // namespace millrace::runtime
