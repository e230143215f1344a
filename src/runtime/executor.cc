#include "runtime/executor.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "common/strings.h"
#include "runtime/job_folder.h"
#include "sandbox/isolation.h"

namespace millrace::runtime {
namespace {
constexpr size_t kLogTailBytes = 4096;
constexpr size_t kErrorLogBytes = 600;
}  // namespace

Runtimes::Runtimes(const Sandbox& sandbox, Interpreters interpreters) : sandbox_(sandbox) {
  if (interpreters.python3) python_ = make_python_executor(sandbox, *interpreters.python3);
  if (interpreters.bash) bash_ = make_bash_executor(sandbox, *interpreters.bash);
  if (interpreters.node)
    node_ = make_node_executor(sandbox, *interpreters.node, interpreters.esbuild,
                               interpreters.windmill_client);
}

Runtimes::~Runtimes() = default;

bool Runtimes::supports(const std::string& language) const {
  return (language == "python3" && python_) || (language == "bash" && bash_) ||
         (is_typescript_language(language) && node_);
}

JobRunOutcome Runtimes::run(const JobRunRequest& req, const OutputSink& logs,
                            const CancelSignal* cancel) {
  Executor* e = req.language == "python3"              ? python_.get()
                : req.language == "bash"               ? bash_.get()
                : is_typescript_language(req.language) ? node_.get()
                                                       : nullptr;
  if (!e) {
    return {false,
            error_object("ExecutionErr",
                         "language " + req.language +
                             " is not supported by this server (python3, bash, and bun, deno, "
                             "nativets on Node.js when node is installed)"),
            false};
  }
  JobRunOutcome out = e->run(req, logs, cancel);
  if (!out.success && !out.canceled && req.memory_limit_mb > 0) explain_memory_failure(req, out);
  return out;
}

void explain_memory_failure(const JobRunRequest& req, JobRunOutcome& out) {
  auto error = nlohmann::json::parse(out.result_json, nullptr, false);
  if (!error.is_object()) return;
  // A job writes its own error object: its fields may be anything.
  auto text = [&](const char* key) {
    auto it = error.find(key);
    return it != error.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string name = text("name");
  std::string message = text("message");
  bool memory = name == "MemoryError" || message.find("MemoryError") != std::string::npos ||
                message.find("heap out of memory") != std::string::npos ||
                message.find("Cannot allocate memory") != std::string::npos ||
                message.find("std::bad_alloc") != std::string::npos;
  if (!memory) return;
  error["message"] = "the job went over its memory limit of " +
                     std::to_string(req.memory_limit_mb) + " MB (JOB_MEMORY_LIMIT_MB)" +
                     (message.empty() ? "" : ": " + message);
  out.result_json = error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<ProcessSpec> job_process_spec(const Sandbox& sandbox, const JobFolder& folder,
                                     const JobRunRequest& req, bool limit_address_space) {
  ProcessSpec spec;
  spec.env = base_environment(folder.inside(), folder.cell() ? "/tmp" : folder.inside());
  spec.env.insert(spec.env.end(), req.job_env.begin(), req.job_env.end());
  spec.cwd = folder.inside();
  spec.limits.timeout_ms = req.timeout_ms;
  if (limit_address_space) spec.limits.memory_bytes = req.memory_limit_mb * 1024 * 1024;
  if (folder.cell()) {
    std::string error;
    auto jail = folder.cell()->jail(*folder.cell_folder(), req.network, folder.binds(), error);
    if (!jail) return Error::of(ErrorKind::Internal, error);
    spec.jail = std::move(*jail);
  } else {
    spec.user = sandbox.user;
  }
  return spec;
}

JobRunOutcome limit_failure(const std::string& message) {
  return {false, error_object("ExecutionErr", message), false};
}

std::string limit_behind_failure(const sandbox::Cell& cell, const sandbox::CgroupUsage& before) {
  std::string reason = cell.limit_reached(before);
  if (reason.empty() && cell.scratch_full()) reason = cell.disk_limit_message();
  return reason;
}

JobProcess run_job_process(ProcessSpec spec, const JobFolder& folder, const JobRunRequest& req,
                           const OutputSink& logs, const CancelSignal* cancel) {
  JobProcess run;
  const sandbox::Cell* cell = folder.cell();
  sandbox::CgroupUsage before = cell ? cell->usage() : sandbox::CgroupUsage{};
  // Over a limit that covers the whole tree (memory, processes, CPU time): the job stops at
  // once, whatever its main process makes of it.
  if (cell) spec.watchdog = [cell, before] { return cell->limit_reached(before); };
  run.outcome = run_process(
      spec,
      [&](std::string_view chunk) {
        run.tail.add(chunk);
        logs(chunk);
      },
      cancel);
  if (!run.outcome.started) {
    run.ended = JobRunOutcome{false, error_object("ExecutionErr", run.outcome.start_error), false};
  } else if (run.outcome.canceled) {
    run.ended = JobRunOutcome{false, "", true};
  } else if (run.outcome.timed_out) {
    run.ended = JobRunOutcome{false, timeout_error(req.timeout_ms), false};
  } else if (!run.outcome.stopped_by.empty()) {
    run.ended = limit_failure(run.outcome.stopped_by);
  } else if (cell && (run.outcome.exit_code != 0 || run.outcome.term_signal)) {
    if (auto reason = limit_behind_failure(*cell, before); !reason.empty()) {
      run.ended = limit_failure(reason);
    }
  }
  return run;
}

std::string result_too_large(const Error& e) {
  return error_object("ExecutionErr",
                      "the job's result cannot be kept: " + e.message + " (MAX_RESULT_SIZE_MB)");
}

JobRunOutcome outcome_from_result_file(const JobFolder& folder, const JobProcess& run,
                                       const JobRunRequest& req, const std::string& program) {
  auto read = folder.read_output("result.json", req.max_result_bytes);
  if (!read) return {false, result_too_large(read.error()), false};
  const std::optional<std::string>& result = *read;
  std::string problem = result && !result->empty() ? result_json_problem(*result)
                                                   : std::string("the job wrote no result");
  if (run.outcome.exit_code == 0 && !run.outcome.term_signal) {
    if (!problem.empty()) return {false, error_object("ExecutionErr", problem), false};
    return {true, *result, false};
  }
  if (problem.empty()) return {false, *result, false};
  return {false, crash_error(program, run.outcome, run.tail.text()), false};
}

void Runtimes::remove_shared_folder(const std::string& id) const {
  JobFolder::remove_shared(sandbox_, id);
}

std::string error_object(const std::string& name, const std::string& message) {
  return nlohmann::json{{"name", name}, {"message", message}}.dump();
}

std::string exit_error(const std::string& program, const ProcessOutcome& p,
                       const std::string& log_tail) {
  std::string tail = log_tail.size() > kErrorLogBytes
                         ? log_tail.substr(log_tail.size() - kErrorLogBytes)
                         : log_tail;
  nlohmann::json e;
  e["name"] = "ExecutionErr";
  if (p.term_signal) {
    e["message"] = "process \"" + program + "\" was killed by signal " +
                   std::to_string(p.term_signal) + ", last log lines:\n" + tail;
  } else {
    e["message"] = "exit code for \"" + program + "\": " + std::to_string(p.exit_code) +
                   ", last log lines:\n" + tail;
    e["exit_code"] = p.exit_code;
  }
  return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string crash_error(const std::string& program, const ProcessOutcome& p,
                        const std::string& log_tail) {
  if (p.term_signal && log_tail.find("JavaScript heap out of memory") != std::string::npos) {
    return error_object("MemoryError", "JavaScript heap out of memory");
  }
  return exit_error(program, p, log_tail);
}

std::string timeout_error(int64_t timeout_ms) {
  return error_object("ExecutionErr", "job process terminated due to timeout after exceeding the " +
                                          std::to_string(timeout_ms / 1000) + "s duration limit");
}

std::string install_wrapper(const Sandbox& sandbox, const std::string& name, const char* text) {
  std::error_code ec;
  std::filesystem::create_directories(
      std::filesystem::path(sandbox.runtime_dir() + "/" + name).parent_path(), ec);
  std::ofstream(sandbox.runtime_dir() + "/" + name, std::ios::trunc) << text;
  return sandbox.runtime_dir_inside() + "/" + name;
}

std::vector<std::string> base_environment(const std::string& home, const std::string& tmp) {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "TMPDIR=" + tmp, "LANG=C.UTF-8",
          "LC_ALL=C.UTF-8"};
}

std::string result_json_problem(const std::string& text) {
  if (!json_depth_within(text, kMaxResultJsonDepth)) {
    return "the result is nested more than " + std::to_string(kMaxResultJsonDepth) + " levels deep";
  }
  if (!nlohmann::json::accept(text)) return "the result is not valid JSON";
  return "";
}

void LogTail::add(std::string_view chunk) {
  tail_.append(chunk);
  if (tail_.size() > 2 * kLogTailBytes) tail_.erase(0, tail_.size() - kLogTailBytes);
}

std::string LogTail::last_line() const {
  std::string_view t = trim(tail_);
  auto nl = t.rfind('\n');
  return std::string(trim(nl == std::string_view::npos ? t : t.substr(nl + 1)));
}

}  // namespace millrace::runtime
