// How one process tree is shut in (docs/architecture.md, "The job sandbox"): the read-only root
// it sees as /, what is mounted on it for this tree alone, the uid it runs as, the network it
// joins and the cgroups that count it. A Cell (cell.h) makes these; runtime/process.h spawns
// with them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace millrace::sandbox {

struct Bind {
  std::string source;  // a host path
  std::string target;  // where it appears inside the jail (absolute)
  bool read_only = false;
};

struct Jail {
  std::string root;         // host path of the read-only root template
  std::vector<Bind> binds;  // mounted on the root for this tree only, in this order
  uid_t uid = 0;
  gid_t gid = 0;
  int netns_fd = -1;            // join this network namespace; -1: stay in the host's
  std::vector<int> cgroup_fds;  // cgroup.procs files the tree's main process enters
  int64_t max_processes = 0;    // RLIMIT_NPROC for the uid (the cell's own); 0: none
};

}  // namespace millrace::sandbox
