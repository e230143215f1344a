#include "runtime/process.h"

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
constexpr int64_t kTickMs = 100;

// in_fd -1 means /dev/null; err_fd -1 means /dev/null.
[[noreturn]] void child_exec(const ProcessSpec& spec, char* const* argv, char* const* envp,
                             int in_fd, int out_fd, int err_fd, pid_t server_pid) {
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
  syscall(SYS_close_range, 3U, ~0U, 0U);  // the server's sockets and database stay ours
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

}  // namespace

ProcessOutcome run_process(const ProcessSpec& spec, const OutputSink& on_output,
                           const CancelSignal* cancel) {
  ProcessOutcome out;
  ExecStrings exec(spec);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    out.start_error = std::string("pipe: ") + strerror(errno);
    return out;
  }
  pid_t server_pid = getpid();
  // vfork: the child borrows the server's memory until execve instead of copying its page
  // tables, which is what posix_spawn does too; child_exec makes only system calls.
  pid_t pid = vfork();
  if (pid < 0) {
    out.start_error = std::string("vfork: ") + strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return out;
  }
  if (pid == 0)
    child_exec(spec, exec.argv.data(), exec.envp.data(), -1, fds[1], fds[1], server_pid);
  close(fds[1]);
  setpgid(pid, pid);  // also from the parent, so kill(-pid) works whoever runs first
  out.started = true;

  const auto deadline = spec.limits.timeout_ms > 0
                            ? Clock::now() + std::chrono::milliseconds(spec.limits.timeout_ms)
                            : Clock::time_point::max();
  char buf[16384];
  int status = 0;
  bool reaped = false;
  bool pipe_open = true;
  // Readable when the child exits (Linux ≥ 5.3); without it, exits are noticed on ticks.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
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
  // timeout or cancel) is killed.
  kill_group(pid);
  close(fds[0]);
  if (!reaped) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
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
  pid_t server_pid = getpid();
  pid_t pid = vfork();
  if (pid < 0) {
    error = std::string("vfork: ") + strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    return std::nullopt;
  }
  if (pid == 0) child_exec(spec, exec.argv.data(), exec.envp.data(), in[0], out[1], -1, server_pid);
  close(in[0]);
  close(out[1]);
  setpgid(pid, pid);
  return PipedProcess{pid, in[1], out[0]};
}

void stop_piped(PipedProcess& p) {
  if (p.pid > 0) {
    kill_group(p.pid);
    int status;
    while (waitpid(p.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (p.to_child >= 0) close(p.to_child);
  if (p.from_child >= 0) close(p.from_child);
  p = PipedProcess{};
}

}  // namespace millrace::runtime
