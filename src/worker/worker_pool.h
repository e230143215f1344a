// The workers of this process: each claims a job, runs its code through the runtimes, streams
// its output to the job's logs and stores the outcome. Workers never serve HTTP.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "queue/job_queue.h"
#include "runtime/executor.h"
#include "worker/job_inputs.h"
#include "worker/script_cache.h"

namespace millrace::auth {
class Authenticator;
}
namespace millrace::flow {
class FlowEngine;
}
namespace millrace::runtime {
class WarmInterpreters;
}
namespace millrace::sandbox {
class Cell;
}

namespace millrace::worker {

struct WorkerOptions {
  int count = 2;
  std::string base_url;      // the public URL (WM_BASE_URL)
  std::string internal_url;  // how jobs reach this server's API (BASE_INTERNAL_URL)
  int64_t default_timeout_s = 604800;
  int64_t memory_limit_mb = 0;
  int64_t max_result_mb = 64;
  std::string name_prefix = "wk";
  std::string warm = "dedicated";  // WARM_WORKERS: dedicated, all or off
  int warm_per_worker = 4;
  bool network = true;  // JOB_NETWORK; a script saved with no_network runs without it anyway
};

class JobOutput;
class JobPackages;

class WorkerPool {
 public:
  // Without `packages`, jobs run with what the machine has installed and lock jobs resolve
  // nothing.
  WorkerPool(queue::JobQueue& queue, ScriptCache& scripts, runtime::JobRunner& runtimes,
             const auth::Authenticator& auth, flow::FlowEngine& flows, JobInputs& inputs,
             WorkerOptions options, JobPackages* packages = nullptr);
  ~WorkerPool();
  // Starts the workers; sandboxed, each gets its cell first. Answers an error message (a cell
  // that cannot be made), or empty.
  std::string start();
  // Returns once every worker finished its current job; call queue.stop() first.
  void join();

 private:
  void work(const std::string& name, sandbox::Cell* cell);
  void run_one(const queue::ClaimedJob& claimed, const std::string& name,
               runtime::WarmInterpreters& warm, sandbox::Cell* cell);
  void run_lock_job(const queue::ClaimedJob& claimed, const std::string& name, sandbox::Cell* cell);
  // Stores what a job came to (or queues it again, when a shutdown interrupted it).
  void finish(const queue::ClaimedJob& claimed, const std::string& name, JobOutput& logs,
              const runtime::JobRunOutcome& outcome);

  queue::JobQueue& queue_;
  ScriptCache& scripts_;
  runtime::JobRunner& runtimes_;
  const auth::Authenticator& auth_;
  flow::FlowEngine& flows_;
  JobInputs& inputs_;
  WorkerOptions options_;
  JobPackages* packages_;
  std::vector<std::unique_ptr<sandbox::Cell>> cells_;  // one per worker, when sandboxed
  std::vector<std::thread> threads_;
};

}  // namespace millrace::worker
