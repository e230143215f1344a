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
// program's own. An init can also be made ahead of its program (prepare(), then launch()):
// namespaces, /proc and the pivot done, it attaches the binds as detached mounts when launched.
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
  // start() returns once the program was executed (or failed to be). Without it, start()
  // returns at once and a failed start is known when the init is reaped (start_failure()):
  // for a caller that waits for the end anyway (argv, envp and cwd must live until then).
  bool wait_until_started = true;
};

class JailedInit {
 public:
  // Starts exec in jail. Returns once the program was executed (or failed to be; see
  // JailedExec::wait_until_started); nullptr with `error` set when the jail could not be made
  // or the program could not be executed.
  static std::unique_ptr<JailedInit> start(const Jail& jail, const JailedExec& exec,
                                           std::string& error);
  // An init made ahead of its program: its namespaces made, /proc mounted, pivoted into `root`
  // (a jail's root), waiting for launch(). What start() does before the program, off the path
  // of the job that will use it. nullptr with `error`.
  static std::unique_ptr<JailedInit> prepare(const std::string& root, bool die_with_parent,
                                             std::string& error);
  // Starts exec in jail with a prepared init, as start() would (jail.root and
  // exec.die_with_parent as prepared). Once only. False with `error`: the init is unusable.
  bool launch(const Jail& jail, const JailedExec& exec, std::string& error);
  const std::string& root() const { return root_; }
  // Kills and reaps the init unless on_reaped() was called.
  ~JailedInit();
  JailedInit(const JailedInit&) = delete;
  JailedInit& operator=(const JailedInit&) = delete;

  pid_t pid() const { return pid_; }
  // The caller reaped pid() (waitpid) with this status: the program's own status, when the init
  // saw it end, else the init's (it was killed).
  int on_reaped(int init_status);
  // The program's pid as this process sees it (for killing what it started).
  pid_t main_pid() const;
  // Once reaped: why the jail or the program could not start, or empty when they did.
  std::string start_failure() const;

  struct Block;  // what the init and the program read (spawn.cc)

 private:
  JailedInit() = default;
  static std::unique_ptr<JailedInit> make(const std::string& root, bool die_with_parent,
                                          std::string& error);
  bool set_program(const Jail& jail, const JailedExec& exec, std::string& error);
  bool clone_init(std::string& error);
  bool wait_until_started(std::string& error);

  pid_t pid_ = -1;
  mutable pid_t main_pid_ = -1;
  bool reaped_ = false;
  void* memory_ = nullptr;  // the stacks and the block (kept for the next jail after)
  Block* block_ = nullptr;
  char* init_stack_top_ = nullptr;
  std::string program_;               // for start_failure()
  std::string root_;                  // host path of the jail's root
  std::vector<std::string> strings_;  // mount targets the init reads (reserved: never moved)
};

}  // namespace millrace::sandbox
