// Python jobs: main's parameters bound by keyword, result JSON-dumped,
// an exception becomes {name, message, stack}. Cold: one python3 per job; warm: the worker
// slot's interpreter for this script version.
#include <sys/stat.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "runtime/executor.h"
#include "runtime/job_folder.h"
#include "runtime/python_wrapper.h"
#include "runtime/warm_interpreters.h"

namespace millrace::runtime {
namespace {

class PythonExecutor final : public Executor {
 public:
  PythonExecutor(Sandbox sandbox, std::string python)
      : sandbox_(std::move(sandbox)), python_(std::move(python)) {
    wrapper_ = install_wrapper(sandbox_, "wrapper_v1.py", kPythonWrapperV1);
    install_client();
  }

  JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel) override {
    // -u: logs stream as printed; -I: ignore PYTHON* variables and the user site folder.
    if (req.warm) {
      WarmLaunch launch{warm_spec(req), "python3", "main.py", req.content, ""};
      launch.spec.argv = {python_, "-u", "-I", wrapper_, "--warm"};
      add_import_path(launch.spec.argv, req);
      return req.warm->run(launch, req, logs, cancel);
    }
    std::string err;
    auto folder = JobFolder::create(sandbox_, req.cell, req.job_id, err, req.shared_folder_id);
    if (!folder) return {false, error_object("ExecutionErr", err), false};
    if (!folder->write_file("main.py", req.content) ||
        !folder->write_file("args.json", req.args_json)) {
      return {false, error_object("ExecutionErr", "cannot write the job's files"), false};
    }
    if (auto e = folder->hand_over(); !e.empty())
      return {false, error_object("ExecutionErr", e), false};
    auto spec = job_process_spec(sandbox_, *folder, req, true);
    if (!spec) return {false, error_object("ExecutionErr", spec.error().message), false};
    spec->argv = {python_, "-u", "-I", wrapper_};
    add_import_path(spec->argv, req);
    if (req.preprocess) spec->argv.push_back("--preprocess");
    JobProcess run = run_job_process(std::move(*spec), *folder, req, logs, cancel);
    if (run.ended) return *run.ended;
    return outcome_from_result_file(*folder, run, req, "python3");
  }

 private:
  static void add_import_path(std::vector<std::string>& argv, const JobRunRequest& req) {
    for (const auto& folder : req.import_path) argv.push_back("--path=" + folder);
  }

  // Millrace's `wmill` module, importable by every job (the wrapper puts its folder on the
  // path), compiled once here: a job's sandbox cannot write the bytecode cache, and compiling
  // it in each job would cost every `import wmill` ~15 ms.
  void install_client() {
    std::string inside = install_wrapper(sandbox_, "python/wmill/__init__.py", kWmillPythonModule);
    const std::string outside = sandbox_.runtime_dir() + "/python/wmill/__init__.py";
    const std::string command = python_ +
                                " -I -c 'import py_compile, sys; py_compile.compile(sys.argv[1], "
                                "doraise=True, invalidation_mode=py_compile.PycInvalidationMode."
                                "UNCHECKED_HASH)' '" +
                                outside + "' >/dev/null 2>&1";
    if (outside.find('\'') == std::string::npos && std::system(command.c_str()) != 0) {
      log::warn("could not precompile " + inside + ": each import of wmill compiles it");
    }
  }

  // How a warm interpreter is started: its environment and limits (the folder and the jail
  // are the interpreter's own).
  ProcessSpec warm_spec(const JobRunRequest& req) const {
    ProcessSpec spec;
    spec.env = base_environment("/", "/tmp");
    spec.cwd = sandbox_.job_root;
    spec.user = sandbox_.user;
    spec.limits.memory_bytes = req.memory_limit_mb * 1024 * 1024;
    return spec;
  }

  Sandbox sandbox_;
  std::string python_;
  std::string wrapper_;
};

}  // namespace

std::unique_ptr<Executor> make_python_executor(Sandbox sandbox, std::string python3) {
  return std::make_unique<PythonExecutor>(std::move(sandbox), std::move(python3));
}

}  // namespace millrace::runtime
