// Bash jobs: declared header arguments become $1..$n; the result is
// ./result.json, else ./result.out as a string, else the last line of output.
#include <nlohmann/json.hpp>

#include "runtime/executor.h"
#include "runtime/job_folder.h"
#include "runtime/signature.h"

namespace millrace::runtime {
namespace {

class BashExecutor final : public Executor {
 public:
  BashExecutor(Sandbox sandbox, std::string bash)
      : sandbox_(std::move(sandbox)), bash_(std::move(bash)) {}

  JobRunOutcome run(const JobRunRequest& req, const OutputSink& logs,
                    const CancelSignal* cancel) override {
    std::string err;
    auto folder = JobFolder::create(sandbox_, req.cell, req.job_id, err, req.shared_folder_id);
    if (!folder) return {false, error_object("ExecutionErr", err), false};
    if (!folder->write_file("main.sh", req.content)) {
      return {false, error_object("ExecutionErr", "cannot write the job's script"), false};
    }
    if (auto e = folder->hand_over(); !e.empty())
      return {false, error_object("ExecutionErr", e), false};

    auto made = job_process_spec(sandbox_, *folder, req, true);
    if (!made) return {false, error_object("ExecutionErr", made.error().message), false};
    ProcessSpec& spec = *made;
    spec.argv = {bash_, "-e", "-o", "pipefail", "./main.sh"};
    auto args = nlohmann::json::parse(req.args_json, nullptr, false);
    for (const auto& p : parse_bash_signature(req.content)) {
      std::string value;
      if (args.is_object() && args.contains(p.name) && !args[p.name].is_null()) {
        const auto& v = args[p.name];
        value = v.is_string() ? v.get<std::string>() : v.dump();
      }
      spec.argv.push_back(value);
    }
    JobProcess run = run_job_process(std::move(spec), *folder, req, logs, cancel);
    if (run.ended) return *run.ended;
    const ProcessOutcome& outcome = run.outcome;
    const LogTail& tail = run.tail;

    auto read = folder->read_output("result.json", req.max_result_bytes);
    if (!read) return {false, result_too_large(read.error()), false};
    const std::optional<std::string>& result_json = *read;
    std::string problem = result_json && !result_json->empty() ? result_json_problem(*result_json)
                                                               : std::string("no result.json");
    if (outcome.exit_code != 0 || outcome.term_signal) {
      if (problem.empty()) return {false, *result_json, false};
      return {false, exit_error("bash", outcome, tail.text()), false};
    }
    if (result_json && !result_json->empty()) {
      if (!problem.empty()) {
        return {false, error_object("ExecutionErr", "result.json: " + problem), false};
      }
      return {true, *result_json, false};
    }
    auto out = folder->read_output("result.out", req.max_result_bytes);
    if (!out) return {false, result_too_large(out.error()), false};
    if (*out && !(*out)->empty()) {
      return {true,
              nlohmann::json(**out).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
              false};
    }
    return {true,
            nlohmann::json(tail.last_line())
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            false};
  }

 private:
  Sandbox sandbox_;
  std::string bash_;
};

}  // namespace

std::unique_ptr<Executor> make_bash_executor(Sandbox sandbox, std::string bash) {
  return std::make_unique<BashExecutor>(std::move(sandbox), std::move(bash));
}

}  // namespace millrace::runtime
