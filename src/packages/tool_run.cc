#include "packages/tool_run.h"

#include <nlohmann/json.hpp>

#include "runtime/executor.h"
#include "runtime/job_folder.h"

namespace millrace::packages {
namespace {

// The message of a runtime error object ({name, message}).
std::string error_message(const std::string& error_json) {
  auto e = nlohmann::json::parse(error_json, nullptr, false);
  if (e.is_object() && e.contains("message") && e["message"].is_string()) {
    return e["message"].get<std::string>();
  }
  return error_json;
}

}  // namespace

Status run_tool(const runtime::Sandbox& sandbox, const ToolRun& run, const ToolContext& ctx,
                const std::function<Status(const runtime::JobFolder& folder)>& collect) {
  std::string error;
  auto folder = runtime::JobFolder::create(sandbox, ctx.cell, ctx.job_id, error);
  if (!folder) return Error::internal("cannot make a folder for " + run.name + ": " + error);
  for (const auto& [name, content] : run.files) {
    if (!folder->write_file(name, content)) {
      return Error::internal("cannot write " + name + " for " + run.name);
    }
  }
  if (auto e = folder->hand_over(); !e.empty()) return Error::internal(e);
  runtime::JobRunRequest req;
  req.job_id = ctx.job_id;
  req.job_env = run.env;
  req.timeout_ms = run.timeout_ms;
  req.memory_limit_mb = ctx.memory_limit_mb;
  req.cell = ctx.cell;
  req.network = true;  // packages come from an index
  auto spec = runtime::job_process_spec(sandbox, *folder, req, false);
  if (!spec) return spec.error();
  spec->argv = run.argv;
  auto process = runtime::run_job_process(std::move(*spec), *folder, req, ctx.logs, ctx.cancel);
  if (process.ended) {
    if (process.ended->canceled)
      return Error::of(ErrorKind::Unavailable, run.name + " was canceled");
    return Error::of(ErrorKind::Unprocessable,
                     run.name + " failed: " + error_message(process.ended->result_json));
  }
  if (process.outcome.exit_code != 0 || process.outcome.term_signal) {
    return Error::of(ErrorKind::Unprocessable,
                     run.name + " failed (" +
                         (process.outcome.term_signal
                              ? "killed by signal " + std::to_string(process.outcome.term_signal)
                              : "exit code " + std::to_string(process.outcome.exit_code)) +
                         "):\n" + process.tail.text());
  }
  return collect(*folder);
}

Status run_host_command(const std::vector<std::string>& argv) {
  runtime::ProcessSpec spec;
  spec.argv = argv;
  spec.env = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8"};
  spec.cwd = "/";
  spec.limits.timeout_ms = 600'000;
  std::string output;
  auto outcome = runtime::run_process(
      spec,
      [&](std::string_view chunk) {
        if (output.size() < 4096) output.append(chunk);
      },
      nullptr);
  if (!outcome.started) return Error::internal(argv[0] + ": " + outcome.start_error);
  if (outcome.exit_code != 0) {
    return Error::internal(argv[0] + " failed (exit code " + std::to_string(outcome.exit_code) +
                           "): " + output);
  }
  return Status::ok();
}

}  // namespace millrace::packages
