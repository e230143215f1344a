#include "runtime/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "metrics/registry.h"
#include "sandbox/spawn.h"

namespace millrace::runtime {

CancelSignal::CancelSignal() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
CancelSignal::~CancelSignal() {
  if (fd_ >= 0) close(fd_);
}
void CancelSignal::cancel() {
  canceled_ = true;
  uint64_t one = 1;
  if (fd_ >= 0) (void)!write(fd_, &one, sizeof one);
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kTickMs = 50;

// in_fd -1 means /dev/null; err_fd -1 means /dev/null; fd3 -1 means no descriptor 3.
[[noreturn]] void child_exec(const ProcessSpec& spec, char* const* argv, char* const* envp,
                             int in_fd, int out_fd, int err_fd, int fd3, pid_t server_pid) {
  // Runs in a vfork child: system calls only, no allocation, never return.
  setpgid(0, 0);
  if (spec.user) {
    // Raw system calls: glibc's setuid() would try to re-credential every thread of the
    // server, whose memory this vfork child shares.
    if (syscall(SYS_setgroups, 0, nullptr) != 0 ||
        syscall(SYS_setresgid, spec.user->gid, spec.user->gid, spec.user->gid) != 0 ||
        syscall(SYS_setresuid, spec.user->uid, spec.user->uid, spec.user->uid) != 0) {
      _exit(126);
    }
  }
  // If the server dies (even by SIGKILL) the job dies with it; it is run again after restart.
  // (Set after the user switch, which would clear it.)
  if (spec.die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != server_pid) _exit(125);
  }
  int devnull = open("/dev/null", O_RDWR);
  dup2(in_fd >= 0 ? in_fd : devnull, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd >= 0 ? err_fd : devnull, STDERR_FILENO);
  if (fd3 == 3) {
    fcntl(3, F_SETFD, 0);  // dup2 onto itself would leave it close-on-exec
  } else if (fd3 >= 0) {
    dup2(fd3, 3);
  }
  // The server's sockets and database stay ours (one by one on a kernel without close_range).
  const int first_closed = fd3 >= 0 ? 4 : 3;
  if (syscall(SYS_close_range, first_closed, ~0U, 0U) != 0) {
    struct rlimit files {};
    getrlimit(RLIMIT_NOFILE, &files);
    for (rlim_t fd = first_closed; fd < std::min<rlim_t>(files.rlim_cur, 1 << 20); ++fd) {
      close(static_cast<int>(fd));
    }
  }
  if (chdir(spec.cwd.c_str()) != 0) _exit(126);
  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(spec.limits.open_files);
  setrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max = 0;
  setrlimit(RLIMIT_CORE, &rl);
  if (spec.limits.memory_bytes > 0) {
    rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(spec.limits.memory_bytes);
    setrlimit(RLIMIT_AS, &rl);
  }
  signal(SIGPIPE, SIG_DFL);
  execve(argv[0], argv, envp);
  _exit(127);
}

// argv and envp as execve wants them, built before vfork (the child may not allocate).
struct ExecStrings {
  explicit ExecStrings(const ProcessSpec& spec) {
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  std::vector<char*> argv;
  std::vector<char*> envp;
};

void kill_group(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
}

// Starts spec with these descriptors as its 0, 1, 2 and 3 (-1: /dev/null, or no 3): in its jail
// when it has one, else vfork + exec in its own process group.
// `wait_until_started` false: a caller that reaps the child itself and keeps `exec` until then
// learns of a jail's failed start at the end (Child::start_failure()).
// A jail's init made ahead for this thread's next run_process() (sandbox::JailedInit::prepare):
// the namespaces, /proc and the pivot cost nothing on that job's path. Made while the current
// job runs; it dies with this thread, as the jails it starts do.
thread_local std::unique_ptr<sandbox::JailedInit> prepared_init;

std::optional<Child> start_child(const ProcessSpec& spec, const ExecStrings& exec, int in_fd,
                                 int out_fd, int err_fd, int fd3, std::string& error,
                                 bool wait_until_started = true, bool use_prepared = false) {
  Child child;
  if (spec.jail) {
    static auto& start_times =
        metrics::registry()
            .histograms("millrace_sandbox_start_seconds",
                        "Time the server takes to launch a job's process in its sandbox (new "
                        "namespaces, mounts, cgroup); with a warm interpreter, until it runs",
                        metrics::duration_buckets())
            .histogram();
    const auto started = Clock::now();
    sandbox::JailedExec e;
    e.argv = exec.argv.data();
    e.envp = exec.envp.data();
    e.cwd = spec.cwd.c_str();
    e.stdin_fd = in_fd;
    e.stdout_fd = out_fd;
    e.stderr_fd = err_fd;
    e.fd3 = fd3;
    e.open_files = spec.limits.open_files;
    e.address_space_bytes = spec.limits.memory_bytes;
    e.die_with_parent = spec.die_with_parent;
    e.wait_until_started = wait_until_started;
    if (use_prepared && prepared_init && prepared_init->root() == spec.jail->root &&
        spec.die_with_parent) {
      child.jail = std::move(prepared_init);
      // Unusable (its binds could not be copied): the init goes, and a new one starts instead.
      if (!child.jail->launch(*spec.jail, e, error)) child.jail.reset();
    }
    if (!child.jail) child.jail = sandbox::JailedInit::start(*spec.jail, e, error);
    if (!child.jail) return std::nullopt;
    child.pid = child.jail->pid();
    start_times.observe(std::chrono::duration<double>(Clock::now() - started).count());
    return child;
  }
  pid_t server_pid = getpid();
  // vfork: the child borrows the server's memory until execve instead of copying its page
  // tables, which is what posix_spawn does too; child_exec makes only system calls.
  pid_t pid = vfork();
  if (pid < 0) {
    error = std::string("vfork: ") + strerror(errno);
    return std::nullopt;
  }
  if (pid == 0) {
    child_exec(spec, exec.argv.data(), exec.envp.data(), in_fd, out_fd, err_fd, fd3, server_pid);
  }
  setpgid(pid, pid);  // also from the parent, so kill(-pid) works whoever runs first
  child.pid = pid;
  return child;
}

}  // namespace

Child::Child() = default;
Child::~Child() = default;
Child::Child(Child&&) noexcept = default;
Child& Child::operator=(Child&&) noexcept = default;

pid_t Child::main_pid() const {
  return jail ? jail->main_pid() : pid;
}

int Child::status_from(int reaped_status) {
  return jail ? jail->on_reaped(reaped_status) : reaped_status;
}

ProcessOutcome run_process(const ProcessSpec& spec, const OutputSink& on_output,
                           const CancelSignal* cancel) {
  ProcessOutcome out;
  ExecStrings exec(spec);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.start_error = std::string("pipe: ") + strerror(errno);
    return out;
  }
  std::string error;
  // Not waiting for the start: this thread polls for the output and the end right away. A
  // jail's init shares this process's descriptors (CLONE_FILES) until its program has taken
  // its own copies, so the write end stays open here until the end (the end is the init's
  // exit, not the pipe's).
  auto started = start_child(spec, exec, -1, fds[1], fds[1], -1, error, false, true);
  int write_end = fds[1];
  if (!started || !started->jail) {
    close(write_end);
    write_end = -1;
  }
  if (!started) {
    out.start_error = error;
    close(fds[0]);
    return out;
  }
  Child child = std::move(*started);
  const pid_t pid = child.pid;
  out.started = true;
  if (child.jail && !prepared_init && spec.die_with_parent) {
    std::string ignored;  // without one, the next job makes its init itself
    prepared_init = sandbox::JailedInit::prepare(spec.jail->root, true, ignored);
  }

  const auto deadline = spec.limits.timeout_ms > 0
                            ? Clock::now() + std::chrono::milliseconds(spec.limits.timeout_ms)
                            : Clock::time_point::max();
  char buf[16384];
  int status = 0;
  bool reaped = false;
  bool pipe_open = true;
  // Readable when the child exits (Linux ≥ 5.3); without it, exits are noticed on ticks.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  auto next_watch = Clock::now() + std::chrono::milliseconds(kTickMs);
  auto drain = [&] {
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    ssize_t r;
    while (pipe_open && (r = read(fds[0], buf, sizeof buf)) > 0) {
      on_output(std::string_view(buf, static_cast<size_t>(r)));
    }
  };
  while (true) {
    struct pollfd pfds[3] = {{pipe_open ? fds[0] : -1, POLLIN, 0},
                             {cancel ? cancel->fd() : -1, POLLIN, 0},
                             {pidfd, POLLIN, 0}};
    int wait_ms = kTickMs;
    if (deadline != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, kTickMs));
    }
    int n = poll(pfds, 3, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (cancel && cancel->canceled()) {
      out.canceled = true;
      break;
    }
    if (Clock::now() >= deadline) {
      out.timed_out = true;
      break;
    }
    if (spec.watchdog && Clock::now() >= next_watch) {
      next_watch = Clock::now() + std::chrono::milliseconds(kTickMs);
      if (out.stopped_by = spec.watchdog(); !out.stopped_by.empty()) break;
    }
    // The job is over when its main process exits, whatever it left running in the background
    // (which may keep the pipe open) and whether or not it closed its output early.
    if (n == 0 || (pfds[2].revents & POLLIN)) {
      if (n == 0) on_output({});  // a tick: lets the caller flush what it has gathered
      if (waitpid(pid, &status, WNOHANG) == pid) {
        reaped = true;
        drain();
        break;
      }
      continue;
    }
    if (pfds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = read(fds[0], buf, sizeof buf);
      if (r > 0) {
        on_output(std::string_view(buf, static_cast<size_t>(r)));
      } else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
        pipe_open = false;  // output is over; the exit is still to come
      }
    }
  }
  if (pidfd >= 0) close(pidfd);
  // Whatever is left of the job's process group (background children, or all of it on a
  // timeout or cancel) is killed. A jail's init that was reaped took its namespace with it,
  // and its pid may already be another's.
  if (!child.jail || !reaped) kill_group(pid);
  close(fds[0]);
  if (!reaped) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (write_end >= 0) close(write_end);
  status = child.status_from(status);
  if (child.jail) {
    if (auto failure = child.jail->start_failure(); !failure.empty()) {
      out.started = false;
      out.start_error = failure;
      return out;
    }
  }
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.term_signal = WTERMSIG(status);
  return out;
}

std::optional<PipedProcess> spawn_piped(const ProcessSpec& spec, std::string& error) {
  ExecStrings exec(spec);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + strerror(errno);
    return std::nullopt;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + strerror(errno);
    close(in[0]);
    close(in[1]);
    return std::nullopt;
  }
  auto child = start_child(spec, exec, in[0], out[1], -1, -1, error);
  close(in[0]);
  close(out[1]);
  if (!child) {
    close(in[1]);
    close(out[0]);
    return std::nullopt;
  }
  PipedProcess p;
  p.child = std::move(*child);
  p.to_child = in[1];
  p.from_child = out[0];
  return p;
}

void stop_piped(PipedProcess& p) {
  if (p.child.pid > 0) {
    kill_group(p.child.pid);
    int status;
    while (waitpid(p.child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    p.child.status_from(status);
  }
  if (p.to_child >= 0) close(p.to_child);
  if (p.from_child >= 0) close(p.from_child);
  p = PipedProcess{};
}

std::optional<InterpreterProcess> spawn_interpreter(const ProcessSpec& spec, std::string& error) {
  ExecStrings exec(spec);
  int in[2] = {-1, -1}, out[2] = {-1, -1}, replies[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {in[0], in[1], out[0], out[1], replies[0], replies[1]}) {
      if (fd >= 0) close(fd);
    }
  };
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(replies, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + strerror(errno);
    close_all();
    return std::nullopt;
  }
  auto child = start_child(spec, exec, in[0], out[1], out[1], replies[1], error);
  for (int* fd : {&in[0], &out[1], &replies[1]}) {
    close(*fd);
    *fd = -1;
  }
  if (!child) {
    close_all();
    return std::nullopt;
  }
  // The server never blocks on the child: every descriptor is polled.
  for (int fd : {in[1], out[0], replies[0]}) fcntl(fd, F_SETFL, O_NONBLOCK);
  InterpreterProcess p;
  p.child = std::move(*child);
  p.requests = in[1];
  p.output = out[0];
  p.replies = replies[0];
  p.pidfd = static_cast<int>(syscall(SYS_pidfd_open, p.child.pid, 0));
  return p;
}

std::optional<int> reap_if_exited(InterpreterProcess& p) {
  const pid_t pid = p.child.pid;
  if (pid <= 0) return std::nullopt;
  // WNOWAIT: the zombie keeps its pid, so its group can be killed without hitting a newcomer.
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
      info.si_pid != pid) {
    return std::nullopt;
  }
  kill(-pid, SIGKILL);  // whatever it left behind in its group
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  status = p.child.status_from(status);
  p.child.pid = -1;
  stop_interpreter(p);
  return status;
}

namespace {
// The children of every thread of `pid`, from /proc (Linux's CONFIG_PROC_CHILDREN).
void add_children(pid_t pid, std::vector<pid_t>& out, int depth) {
  if (depth > 16) return;
  std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(tasks.c_str());
  if (!dir) return;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream children(tasks + "/" + e->d_name + "/children");
    pid_t child;
    while (children >> child) {
      out.push_back(child);
      add_children(child, out, depth + 1);
    }
  }
  closedir(dir);
}

// Kills every process below `pid` but `keep` (whose own descendants go too).
void kill_descendants(pid_t pid, pid_t keep) {
  std::vector<pid_t> found;
  add_children(pid, found, 0);
  for (pid_t child : found) {
    if (child != keep) kill(child, SIGKILL);
  }
}

}  // namespace

void kill_leftovers(const InterpreterProcess& p) {
  if (p.child.pid <= 0) return;
  // In a jail, what the interpreter's children left behind is the init's (pid 1 adopts orphans).
  kill_descendants(p.child.pid, p.child.main_pid());
}

void stop_interpreter(InterpreterProcess& p) {
  if (p.child.pid > 0) {
    kill_group(p.child.pid);
    int status;
    while (waitpid(p.child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    p.child.status_from(status);
  }
  for (int fd : {p.requests, p.output, p.replies, p.pidfd}) {
    if (fd >= 0) close(fd);
  }
  p = InterpreterProcess{};
}

}  // namespace millrace::runtime
