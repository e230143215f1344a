// What a job needs installed before it runs, and the dependency (lock) jobs that decide it.
// A saved script version runs with its lock: resolved by the dependency job started when it was
// saved, or here first when a run gets to it before that job (whichever comes first resolves
// it, once, and the other reads it). Inline code (a flow's step) runs with a lock of its
// requirements, resolved once per process. Python's packages come from pip, TypeScript's and
// JavaScript's from npm; Bash needs none.
// Thread-safe: every worker shares one.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/error.h"
#include "packages/package_cache.h"
#include "store/jobs.h"
#include "store/scripts.h"

namespace millrace::store {
class Database;
}

namespace millrace::worker {

class JobPackages {
 public:
  JobPackages(store::Database& db, const packages::PackageCache& cache) : db_(db), cache_(cache) {}

  // The import path of a job about to run `content` in `language`: the saved version's
  // (`script`, resolving its lock now when it is still pending) or, without one, the inline
  // code's, each package installed first if missing. Its words, when it fails, are the job's
  // error.
  Result<std::vector<std::string>> prepare(const store::JobRecord& job,
                                           const store::ScriptRecord* script,
                                           const std::string& language, const std::string& content,
                                           const packages::ToolContext& ctx);
  // A dependencies or flowdependencies job: its result ({"lock"} or {"updated_flow_value"}).
  Result<std::string> run_lock_job(const store::JobRecord& job, const packages::ToolContext& ctx);

 private:
  Result<std::string> script_lock(const std::string& workspace, const std::string& hash,
                                  const packages::ToolContext& ctx);
  Result<std::string> inline_lock(const std::string& language, const std::string& content,
                                  const packages::ToolContext& ctx);
  // The lock of `content` resolved now (a CLI's or a flow's lock job).
  Result<std::string> fresh_lock(const std::string& language, const std::string& content,
                                 const packages::ToolContext& ctx);
  // Held while `key` (a version, or inline requirements) is resolved: one resolution of it at a
  // time in this process.
  class Resolving {
   public:
    Resolving(JobPackages& owner, std::string key);
    ~Resolving();
    Resolving(const Resolving&) = delete;
    Resolving& operator=(const Resolving&) = delete;

   private:
    JobPackages& owner_;
    std::string key_;
    std::shared_ptr<std::mutex> mutex_;
  };
  static constexpr size_t kMaxInlineLocks = 1024;

  store::Database& db_;
  const packages::PackageCache& cache_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> resolving_;  // one resolution per key
  std::map<std::string, std::string> inline_locks_;               // requirements -> lock
};

}  // namespace millrace::worker
