// Limits that cover a cell's whole process tree, children included: memory, number of
// processes, and the CPU time it used. cgroup v2 where this process can delegate the memory and
// pids controllers to groups of its own; else the v1 memory, pids and cpuacct hierarchies; else
// none (rlimits per process only, and the server says so at start).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace millrace::sandbox {

struct CgroupLimits {
  int64_t memory_bytes = 0;   // 0: none
  int64_t max_processes = 0;  // 0: none
};

// Counters that only grow; a cell compares them before and after a job.
struct CgroupUsage {
  int64_t oom_kills = 0;      // processes the kernel killed for the memory limit
  int64_t forks_refused = 0;  // forks refused for the process limit
  int64_t cpu_ns = 0;         // CPU time used
};

// One cell's group (one per hierarchy on v1). Removed when destroyed, once empty.
class CellCgroup {
 public:
  ~CellCgroup();
  CellCgroup(const CellCgroup&) = delete;
  CellCgroup& operator=(const CellCgroup&) = delete;
  // Open cgroup.procs files: writing "0" to each moves the writer in.
  const std::vector<int>& procs_fds() const { return procs_fds_; }
  CgroupUsage usage() const;

 private:
  friend class CgroupTree;
  CellCgroup() = default;
  bool v2_ = false;
  std::vector<std::string> dirs_;  // v2: one; v1: memory, pids, cpuacct
  std::vector<int> procs_fds_;
  std::vector<int> counter_fds_;  // out-of-memory kills, refused forks, CPU time
};

class CgroupTree {
 public:
  enum class Kind { kV2, kV1, kNone };

  // Finds where this process may make groups, and makes its own folder there, named
  // millrace-<pid> (such folders of processes that are gone are removed). `root` is where the
  // cgroup file systems are mounted (/sys/fs/cgroup); `why` says why a kind was not usable.
  static std::unique_ptr<CgroupTree> detect(const std::string& root, std::string& why);
  ~CgroupTree();
  CgroupTree(const CgroupTree&) = delete;
  CgroupTree& operator=(const CgroupTree&) = delete;

  Kind kind() const { return kind_; }
  std::string describe() const;
  // nullptr with `error` set when the group cannot be made; a kNone tree makes none.
  std::unique_ptr<CellCgroup> create(const std::string& name, const CgroupLimits& limits,
                                     std::string& error) const;

 private:
  CgroupTree() = default;
  Kind kind_ = Kind::kNone;
  std::vector<std::string> bases_;  // v2: one; v1: memory, pids, cpuacct
};

}  // namespace millrace::sandbox
