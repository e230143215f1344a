// Package tools (pip, npm) run as jobs do: in the worker's sandbox cell, as its uid, with a
// folder of their own and the network on, and never with the data folder in sight. What they
// fetch and build comes back through their folder: `collect` reads it (as the server, never
// through a link the tool left) once the tool has exited, before the folder goes.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "runtime/process.h"
#include "runtime/sandbox.h"

namespace millrace::sandbox {
class Cell;
}
namespace millrace::runtime {
class JobFolder;
}

namespace millrace::packages {

// Where a tool runs, and where its output goes: the worker's cell (null: unsandboxed, as the
// job user), the job it works for, and that job's logs.
struct ToolContext {
  sandbox::Cell* cell = nullptr;
  std::string job_id;
  runtime::OutputSink logs;
  const runtime::CancelSignal* cancel = nullptr;
  int64_t memory_limit_mb = 0;
};

struct ToolRun {
  std::string name;                                        // pip, npm: names it in errors
  std::vector<std::string> argv;                           // argv[0] as the jail sees it
  std::vector<std::pair<std::string, std::string>> files;  // written into its folder first
  std::vector<std::string> env;                            // NAME=value, after the base ones
  int64_t timeout_ms = 600'000;
};

// Runs it to its end. On exit 0, `collect(its folder)` decides (JobFolder::read_output reads a
// file it wrote, refusing links). Otherwise an error with the tool's last lines (Unavailable
// when canceled).
Status run_tool(const runtime::Sandbox& sandbox, const ToolRun& run, const ToolContext& ctx,
                const std::function<Status(const runtime::JobFolder& folder)>& collect);

// A command the server itself runs (cp, chmod on the cache), without a shell; its output is
// dropped. An error names it.
Status run_host_command(const std::vector<std::string>& argv);

}  // namespace millrace::packages
