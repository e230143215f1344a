// Runs one child process: its own process group, its own working folder, a clean environment,
// resource limits, stdout and stderr merged into one stream handed to a callback as it comes.
// A timeout or a cancel kills the whole group.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sandbox.h"
#include "sandbox/jail.h"

namespace millrace::sandbox {
class JailedInit;
}

namespace millrace::runtime {

// Lets another thread stop a running child. Thread-safe; cancel() may be called any time,
// before or during the run, any number of times.
class CancelSignal {
 public:
  CancelSignal();
  ~CancelSignal();
  CancelSignal(const CancelSignal&) = delete;
  CancelSignal& operator=(const CancelSignal&) = delete;
  void cancel();
  bool canceled() const { return canceled_.load(); }
  int fd() const { return fd_; }  // readable once canceled

 private:
  int fd_;
  std::atomic<bool> canceled_{false};
};

struct ProcessLimits {
  int64_t timeout_ms = 0;  // 0 = none
  int64_t open_files = 1024;
  int64_t memory_bytes = 0;  // address-space limit; 0 = none
};

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  // Set: the process runs in this jail (sandbox/spawn.h), and argv[0] and cwd are paths inside
  // it; `user` is then not used.
  std::optional<sandbox::Jail> jail;
  std::optional<JobUser> user;   // switch to this user before exec
  std::vector<std::string> env;  // NAME=value, the whole environment
  std::string cwd;
  ProcessLimits limits;
  // PR_SET_PDEATHSIG: the child dies with the thread that started it. Off for children that
  // end by themselves when their stdin closes (the server's death closes it too).
  bool die_with_parent = true;
  // Asked at every tick while the process runs: a non-empty answer (a limit it went over) stops
  // it, and becomes ProcessOutcome::stopped_by.
  std::function<std::string()> watchdog;
};

struct ProcessOutcome {
  bool started = false;
  std::string start_error;
  int exit_code = -1;   // when it exited
  int term_signal = 0;  // when a signal ended it
  bool timed_out = false;
  bool canceled = false;
  std::string stopped_by;  // what the watchdog said
};

// Called with each chunk of output as it is read, and with an empty chunk at least every
// 50 ms while the process runs quietly (so the caller can flush on time).
using OutputSink = std::function<void(std::string_view chunk)>;

ProcessOutcome run_process(const ProcessSpec& spec, const OutputSink& on_output,
                           const CancelSignal* cancel);

// A started child: its pid (in a jail, the jail's init), and the jail's init when there is
// one. Move-only.
struct Child {
  Child();
  ~Child();
  Child(Child&&) noexcept;
  Child& operator=(Child&&) noexcept;
  pid_t pid = -1;
  std::unique_ptr<sandbox::JailedInit> jail;
  // The process that runs the program (in a jail, the init's child; else pid).
  pid_t main_pid() const;
  // Its wait status, from the status waitpid() gave for pid.
  int status_from(int reaped_status);
};

// A long-lived child spoken to over pipes (its stderr goes to /dev/null). The caller owns
// the descriptors and must end it with stop_piped().
struct PipedProcess {
  Child child;
  int to_child = -1;    // the child's stdin
  int from_child = -1;  // the child's stdout
};
// Starts spec.argv as spec.user, in spec.cwd, with spec.env and the limits (not the timeout);
// nullopt with `error` set when it cannot start. With spec.die_with_parent the child dies with
// the thread that started it, so such a child is started from a thread that lives as long as
// the server.
std::optional<PipedProcess> spawn_piped(const ProcessSpec& spec, std::string& error);
// Kills the child's process group, reaps it and closes the pipes.
void stop_piped(PipedProcess& p);

// A long-lived interpreter that runs one job after another (warm workers): requests go to its
// stdin, its stdout and stderr are one stream (the jobs' logs), and it replies on its
// descriptor 3. The server's ends are non-blocking. End it with stop_interpreter().
struct InterpreterProcess {
  Child child;
  int requests = -1;  // the child's stdin
  int output = -1;    // the child's stdout and stderr
  int replies = -1;   // the child's descriptor 3
  int pidfd = -1;     // readable once the child exits; -1 on kernels without pidfd_open
};
// Starts it like spawn_piped (limits, user, cwd, environment; no timeout).
std::optional<InterpreterProcess> spawn_interpreter(const ProcessSpec& spec, std::string& error);
// When the child has exited: its wait status, and `p` is stopped (its group killed, pipes
// closed). Otherwise nullopt.
std::optional<int> reap_if_exited(InterpreterProcess& p);
// Kills the child's process group, reaps it and closes the pipes.
void stop_interpreter(InterpreterProcess& p);
// Kills every process the interpreter started that is still running (in a jail, every process
// of the tree but the interpreter), not the interpreter itself.
void kill_leftovers(const InterpreterProcess& p);

}  // namespace millrace::runtime
