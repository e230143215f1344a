// Starts one program inside a Jail. The tree gets new PID, mount and IPC namespaces. Its init
// (pid 1, our direct child) mounts /proc and the jail's binds on the root template, pivots into
// it, starts the program as pid 2 (its own session; the jail's uid and gid, no supplementary
// groups, an empty capability bounding set, no_new_privs, the syscall filter of seccomp.h, the
// given rlimits and descriptors), and waits. When the program exits the init records its wait
// status and exits, and the kernel kills whatever else is left in the namespace: nothing a job
// starts outlives it. Killing the init (SIGKILL from outside) ends the whole tree at once.
//
// The init is a CLONE_VM child running beside the thread that started it: it makes system calls
// only (raw_syscall.h), and never touches that thread's errno. Start costs no exec beyond the
// program's own.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/jail.h"

namespace millrace::sandbox {

struct JailedExec {
  char* const* argv = nullptr;  // argv[0]: an absolute path inside the jail
  char* const* envp = nullptr;
  const char* cwd = "/";  // inside the jail
  // Descriptors of the caller that become the program's 0, 1, 2 and 3; -1: /dev/null (0 to
  // 2), no descriptor 3.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int fd3 = -1;
  int64_t open_files = 1024;        // RLIMIT_NOFILE
  int64_t address_space_bytes = 0;  // RLIMIT_AS; 0: none
  int64_t file_size_bytes = 0;      // RLIMIT_FSIZE; 0: none
  // The init dies with the thread that started it (PR_SET_PDEATHSIG), and the tree with it.
  bool die_with_parent = true;
};

class JailedInit {
 public:
  // Starts exec in jail. Returns once the program was executed (or failed to be); nullptr with
  // `error` set when the jail could not be made or the program could not be executed.
  static std::unique_ptr<JailedInit> start(const Jail& jail, const JailedExec& exec,
                                           std::string& error);
  // Kills and reaps the init unless on_reaped() was called.
  ~JailedInit();
  JailedInit(const JailedInit&) = delete;
  JailedInit& operator=(const JailedInit&) = delete;

  pid_t pid() const { return pid_; }
  // The caller reaped pid() (waitpid) with this status: the program's own status, when the init
  // saw it end, else the init's (it was killed).
  int on_reaped(int init_status);
  // The program's pid as this process sees it (for killing what it started).
  pid_t main_pid() const { return main_pid_; }

  struct Block;  // what the init and the program read (spawn.cc)

 private:
  JailedInit() = default;
  pid_t pid_ = -1;
  pid_t main_pid_ = -1;
  bool reaped_ = false;
  void* memory_ = nullptr;
  size_t memory_bytes_ = 0;
  Block* block_ = nullptr;
  std::vector<std::string> strings_;  // mount targets the init reads
};

}  // namespace millrace::sandbox
