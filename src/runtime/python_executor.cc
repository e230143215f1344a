// Python jobs (reference §5): main's parameters bound by keyword, result JSON-dumped,
// an exception becomes {name, message, stack}.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runtime/executor.h"
#include "runtime/job_folder.h"
#include "runtime/python_wrapper.h"

namespace millrace::runtime {
namespace {

class PythonExecutor final : public Executor {
 public:
  PythonExecutor(Sandbox sandbox, std::string python)
      : sandbox_(std::move(sandbox)), python_(std::move(python)) {
    std::error_code ec;
    // Readable by the job user, writable by the server only.
    std::filesystem::create_directories(sandbox_.job_root + "/.runtime", ec);
    wrapper_ = sandbox_.job_root + "/.runtime/wrapper_v1.py";
    std::ofstream(wrapper_, std::ios::trunc) << kPythonWrapperV1;
  }

  JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel) override {
    std::string err;
    auto folder = JobFolder::create(sandbox_, req.job_id, err, req.shared_folder_id);
    if (!folder) return {false, error_object("ExecutionErr", err), false};
    if (!folder->write_file("main.py", req.content) ||
        !folder->write_file("args.json", req.args_json)) {
      return {false, error_object("ExecutionErr", "cannot write the job's files"), false};
    }
    if (auto e = folder->hand_over(); !e.empty())
      return {false, error_object("ExecutionErr", e), false};
    ProcessSpec spec;
    // -u: logs stream as printed; -I: ignore PYTHON* variables and the user site folder.
    spec.argv = {python_, "-u", "-I", wrapper_};
    spec.env = base_environment(folder->path());
    spec.env.insert(spec.env.end(), req.job_env.begin(), req.job_env.end());
    spec.cwd = folder->path();
    spec.user = sandbox_.user;
    spec.limits.timeout_ms = req.timeout_ms;
    spec.limits.memory_bytes = req.memory_limit_mb * 1024 * 1024;

    LogTail tail;
    auto outcome = run_process(
        spec,
        [&](std::string_view chunk) {
          tail.add(chunk);
          logs(chunk);
        },
        cancel);
    if (!outcome.started) return {false, error_object("ExecutionErr", outcome.start_error), false};
    if (outcome.canceled) return {false, "", true};
    if (outcome.timed_out) return {false, timeout_error(req.timeout_ms), false};
    auto read = folder->read_output("result.json");
    if (!read) return {false, error_object("ExecutionErr", read.error().message), false};
    const std::optional<std::string>& result = *read;
    std::string problem = result && !result->empty() ? result_json_problem(*result)
                                                     : std::string("the job wrote no result");
    if (outcome.exit_code == 0 && !outcome.term_signal) {
      if (!problem.empty()) return {false, error_object("ExecutionErr", problem), false};
      return {true, *result, false};
    }
    if (problem.empty()) return {false, *result, false};
    return {false, exit_error("python3", outcome, tail.text()), false};
  }

 private:
  Sandbox sandbox_;
  std::string python_;
  std::string wrapper_;
};

}  // namespace

std::unique_ptr<Executor> make_python_executor(Sandbox sandbox, std::string python3) {
  return std::make_unique<PythonExecutor>(std::move(sandbox), std::move(python3));
}

}  // namespace millrace::runtime
