#include "sandbox/spawn.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>

#include "sandbox/raw_syscall.h"
#include "sandbox/seccomp.h"

namespace millrace::sandbox {
namespace {

constexpr size_t kStackBytes = 64 * 1024;
constexpr size_t kGuardBytes = 4096;
constexpr int kMaxMountSteps = 24;
constexpr int kMaxCgroups = 4;

// Where a start failed, for the message.
enum Step : int {
  kNone = 0,
  kMount,  // + the mount step's index
  kChdirRoot = 100,
  kPivotRoot,
  kDetachOldRoot,
  kChdir,
  kJoinNetwork,
  kCloneMain,
  kEnterCgroup,
  kOpenDevNull,
  kDescriptors,
  kLimits,
  kGroups,
  kGid,
  kUid,
  kNoNewPrivs,
  kSeccomp,
  kExec,
};

struct MountStep {
  const char* source;
  const char* target;
  const char* fstype;
  unsigned long flags;
  const char* data;
};

}  // namespace

// Shared by the caller, the init and the program until exec: plain values and pointers to
// memory that outlives the start.
struct JailedInit::Block {
  MountStep mounts[kMaxMountSteps];
  int mount_count;
  const char* root;
  const char* cwd;
  int netns_fd;
  int cgroup_fds[kMaxCgroups];
  int cgroup_count;
  int stdio[4];
  struct rlimit64_values {
    long resource;
    unsigned long value;
  } limits[6];
  int limit_count;
  unsigned uid;
  unsigned gid;
  const sock_fprog* filter;
  char* const* argv;
  char* const* envp;
  int die_with_parent;
  char* main_stack_top;
  int ignored_signals[64];  // the server's SIG_IGN dispositions, which exec keeps
  int ignored_count;
  int last_capability;
  long open_files_limit;  // the server's: where closing one by one may stop
  // A prepared init (prepare()) mounts only /proc before pivoting, then waits for `go` (a futex
  // word launch() sets) and attaches mounts[1..mount_count) from attach_fds: detached copies
  // of the binds (open_tree), whose targets are paths inside the jail. The init takes each
  // descriptor (-1 here) before closing it.
  int prepared;
  int go;
  int attach_fds[kMaxMountSteps];
  // Written by the init and the program.
  int ready;  // futex word: 1 once the program was executed, or the start failed
  int failed_step;
  int failed_errno;
  int main_pid;  // inside the namespace
  int main_status;
  int main_done;
};

namespace {

using Block = JailedInit::Block;

// --- Runs in the init and in the program before exec: system calls only. ------------------

#define MR_JAIL_CODE __attribute__((no_sanitize("address", "undefined"), noinline))

MR_JAIL_CODE void set_ready(Block* b) {
  __atomic_store_n(&b->ready, 1, __ATOMIC_SEQ_CST);
  raw_syscall(SYS_futex, reinterpret_cast<long>(&b->ready), FUTEX_WAKE, 1);
}

MR_JAIL_CODE void record_failure(Block* b, int step, long ret) {
  b->failed_step = step;
  b->failed_errno = static_cast<int>(-ret);
}

// Closes every descriptor from `first` on: at once, or one by one on a kernel without
// close_range (before 5.9), up to the server's descriptor limit.
MR_JAIL_CODE void close_from(Block* b, int first) {
  if (raw_syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  for (long fd = first; fd < b->open_files_limit; ++fd) raw_syscall(SYS_close, fd);
}

// The program could not be started: says where, and exits (the init goes on and reports it).
[[noreturn]] MR_JAIL_CODE void main_fails(Block* b, int step, long ret) {
  record_failure(b, step, ret);
  raw_syscall(SYS_exit, 127);
  __builtin_unreachable();
}

MR_JAIL_CODE int jail_main(void* arg) {
  Block* b = static_cast<Block*>(arg);
  long r;
  for (int i = 0; i < b->cgroup_count; ++i) {
    r = raw_syscall(SYS_write, b->cgroup_fds[i], reinterpret_cast<long>("0"), 1);
    if (r != 1) main_fails(b, kEnterCgroup, r < 0 ? r : -EIO);
  }
  raw_syscall(SYS_setsid);
  long devnull = raw_syscall(SYS_openat, AT_FDCWD, reinterpret_cast<long>("/dev/null"), O_RDWR);
  if (devnull < 0) main_fails(b, kOpenDevNull, devnull);
  // A descriptor to become 0..3 may itself be one of 0..3: each is first copied out of the way.
  int from[4];
  for (int i = 0; i < 4; ++i) {
    int fd = b->stdio[i] >= 0 ? b->stdio[i] : (i < 3 ? static_cast<int>(devnull) : -1);
    from[i] = -1;
    if (fd < 0) continue;
    if ((r = raw_syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 10)) < 0) main_fails(b, kDescriptors, r);
    from[i] = static_cast<int>(r);
  }
  for (int i = 0; i < 4; ++i) {
    if (from[i] >= 0 && (r = raw_syscall(SYS_dup3, from[i], i, 0)) < 0) {
      main_fails(b, kDescriptors, r);
    }
  }
  close_from(b, from[3] >= 0 ? 4 : 3);
  for (int i = 0; i < b->limit_count; ++i) {
    unsigned long values[2] = {b->limits[i].value, b->limits[i].value};
    r = raw_syscall(SYS_prlimit64, 0, b->limits[i].resource, reinterpret_cast<long>(values), 0);
    if (r < 0) main_fails(b, kLimits, r);
  }
  // Default dispositions for what the server ignores (SIGPIPE: ignored signals survive exec;
  // handled ones are reset by it), and nothing blocked (the init blocks everything).
  struct {
    unsigned long handler, flags, restorer, mask;
  } default_action = {0, 0, 0, 0};
  for (int i = 0; i < b->ignored_count; ++i) {
    raw_syscall(SYS_rt_sigaction, b->ignored_signals[i], reinterpret_cast<long>(&default_action), 0,
                8);
  }
  unsigned long none = 0;
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, 8);
  for (long cap = 0; cap <= b->last_capability; ++cap) raw_syscall(SYS_prctl, PR_CAPBSET_DROP, cap);
  if ((r = raw_syscall(SYS_setgroups, 0, 0)) < 0) main_fails(b, kGroups, r);
  if ((r = raw_syscall(SYS_setresgid, b->gid, b->gid, b->gid)) < 0) main_fails(b, kGid, r);
  // Leaving uid 0 clears the permitted, effective and ambient capabilities.
  if ((r = raw_syscall(SYS_setresuid, b->uid, b->uid, b->uid)) < 0) main_fails(b, kUid, r);
  if ((r = raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0) {
    main_fails(b, kNoNewPrivs, r);
  }
  r = raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<long>(b->filter));
  if (r < 0) main_fails(b, kSeccomp, r);
  r = raw_syscall(SYS_execve, reinterpret_cast<long>(b->argv[0]), reinterpret_cast<long>(b->argv),
                  reinterpret_cast<long>(b->envp));
  main_fails(b, kExec, r);
}

// The init could not make the jail: says where and ends.
MR_JAIL_CODE int init_fails(Block* b, int step, long ret) {
  record_failure(b, step, ret);
  set_ready(b);
  return 1;
}

MR_JAIL_CODE int jail_init(void* arg) {
  Block* b = static_cast<Block*>(arg);
  long r;
  // Signals are for the program; the init ends by itself, or by SIGKILL from outside.
  unsigned long all = ~0UL;
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&all), 0, 8);
  if (b->die_with_parent) raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
  // Prepared: /proc only (the binds come with launch()).
  const int mounted_first = b->prepared ? 1 : b->mount_count;
  for (int i = 0; i < mounted_first; ++i) {
    const MountStep& m = b->mounts[i];
    r = raw_syscall(SYS_mount, reinterpret_cast<long>(m.source), reinterpret_cast<long>(m.target),
                    reinterpret_cast<long>(m.fstype), static_cast<long>(m.flags),
                    reinterpret_cast<long>(m.data));
    if (r < 0) return init_fails(b, kMount + i, r);
  }
  if ((r = raw_syscall(SYS_chdir, reinterpret_cast<long>(b->root))) < 0) {
    return init_fails(b, kChdirRoot, r);
  }
  r = raw_syscall(SYS_pivot_root, reinterpret_cast<long>("."), reinterpret_cast<long>(".old"));
  if (r < 0) return init_fails(b, kPivotRoot, r);
  // The server's whole mount tree goes from this namespace.
  if ((r = raw_syscall(SYS_umount2, reinterpret_cast<long>("/.old"), MNT_DETACH)) < 0) {
    return init_fails(b, kDetachOldRoot, r);
  }
  if (b->prepared) {
    while (!__atomic_load_n(&b->go, __ATOMIC_SEQ_CST)) {
      raw_syscall(SYS_futex, reinterpret_cast<long>(&b->go), FUTEX_WAIT, 0, 0);
    }
    int failed = 0;
    for (int i = 1; i < b->mount_count; ++i) {
      int fd = __atomic_exchange_n(&b->attach_fds[i], -1, __ATOMIC_SEQ_CST);
      if (!failed) {
        r = raw_syscall(SYS_move_mount, fd, reinterpret_cast<long>(""), AT_FDCWD,
                        reinterpret_cast<long>(b->mounts[i].target), MOVE_MOUNT_F_EMPTY_PATH);
        if (r < 0) {
          failed = i;
          record_failure(b, kMount + i, r);
        }
      }
      raw_syscall(SYS_close, fd);
    }
    if (failed) {
      set_ready(b);
      return 1;
    }
  }
  if ((r = raw_syscall(SYS_chdir, reinterpret_cast<long>(b->cwd))) < 0) {
    return init_fails(b, kChdir, r);
  }
  if (b->netns_fd >= 0 && (r = raw_syscall(SYS_setns, b->netns_fd, CLONE_NEWNET)) < 0) {
    return init_fails(b, kJoinNetwork, r);
  }
  // The program is pid 2. CLONE_VFORK: the init goes on once it was executed, or failed to be.
  int main_pid = clone(jail_main, b->main_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, b);
  if (main_pid < 0) return init_fails(b, kCloneMain, -EAGAIN);
  b->main_pid = main_pid;
  set_ready(b);
  // Until now the init shared the server's descriptor table; it needs none from here on, and
  // holding it would keep the server's descriptors open after the server died (its listening
  // socket, its database, the pipe whose end tells an expression evaluator to stop).
  if (raw_syscall(SYS_unshare, CLONE_FILES) == 0) close_from(b, 0);
  while (true) {
    int status = 0;
    r = raw_syscall(SYS_wait4, -1, reinterpret_cast<long>(&status), __WALL, 0);
    if (r == main_pid) {
      b->main_status = status;
      __atomic_store_n(&b->main_done, 1, __ATOMIC_SEQ_CST);
      return 0;  // the kernel kills whatever is left in the namespace with the init
    }
    if (r < 0 && r != -EINTR) return 0;
  }
}

#undef MR_JAIL_CODE

const char* step_name(int step) {
  switch (step) {
    case kChdirRoot:
      return "enter the root";
    case kPivotRoot:
      return "pivot_root";
    case kDetachOldRoot:
      return "detach the old root";
    case kChdir:
      return "enter the working folder";
    case kJoinNetwork:
      return "join its network namespace";
    case kCloneMain:
      return "start the program";
    case kEnterCgroup:
      return "enter its cgroup";
    case kOpenDevNull:
      return "open /dev/null";
    case kDescriptors:
      return "set up descriptors";
    case kLimits:
      return "set resource limits";
    case kGroups:
      return "drop supplementary groups";
    case kGid:
      return "switch group";
    case kUid:
      return "switch user";
    case kNoNewPrivs:
      return "set no_new_privs";
    case kSeccomp:
      return "install the syscall filter";
    default:
      return "start the program";
  }
}

// [guard][init stack][guard][program stack][block]: made once, then kept for the next jail
// (their pages are already there; a spawn costs no mmap).
constexpr size_t kMemoryBytes = 2 * (kGuardBytes + kStackBytes) + sizeof(JailedInit::Block);

class Stacks {
 public:
  void* take(std::string& error) {
    {
      std::lock_guard lock(mutex_);
      if (!spare_.empty()) {
        void* mem = spare_.back();
        spare_.pop_back();
        return mem;
      }
    }
    void* mem = mmap(nullptr, kMemoryBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mem == MAP_FAILED) {
      error = std::string("mmap: ") + strerror(errno);
      return nullptr;
    }
    char* base = static_cast<char*>(mem);
    mprotect(base, kGuardBytes, PROT_NONE);
    mprotect(base + kGuardBytes + kStackBytes, kGuardBytes, PROT_NONE);
    return mem;
  }
  void give_back(void* mem) {
    std::lock_guard lock(mutex_);
    spare_.push_back(mem);
  }

 private:
  std::mutex mutex_;
  std::vector<void*> spare_;
};

Stacks& stacks() {
  static Stacks* pool = new Stacks();  // never destroyed: jails may end at exit
  return *pool;
}

// What every jail's program needs of this process, read once: the signals the server ignores
// (they stay ignored across exec) and the highest capability number the kernel knows.
struct ProcessFacts {
  std::vector<int> ignored_signals;
  int last_capability = 63;
  long open_files_limit = 1024;  // the server raised it at start, before any jail
};

const ProcessFacts& process_facts() {
  static const ProcessFacts facts = [] {
    ProcessFacts f;
    for (int sig = 1; sig < 65; ++sig) {
      struct sigaction sa {};
      if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, nullptr, &sa) == 0 &&
          sa.sa_handler == SIG_IGN) {
        f.ignored_signals.push_back(sig);
      }
    }
    std::ifstream in("/proc/sys/kernel/cap_last_cap");
    in >> f.last_capability;
    struct rlimit files {};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
      f.open_files_limit = static_cast<long>(std::min<rlim_t>(files.rlim_cur, 1 << 20));
    }
    return f;
  }();
  return facts;
}

// Names a mount by where it is inside the jail (a target that starts with the host path of the
// jail's root is on its way there).
std::string failure_text(const JailedInit::Block& b, const char* program, const std::string& root) {
  int step = b.failed_step;
  std::string what;
  if (step == kNone) {
    what = "start the job's init";
  } else if (step == kExec) {
    what = std::string("execute ") + program;
  } else if (step < kChdirRoot) {
    std::string target = b.mounts[step - kMount].target;
    if (target.starts_with(root + "/")) target.erase(0, root.size());
    what = "mount " + target;
  } else {
    what = step_name(step);
  }
  return "cannot " + what + " in the job's sandbox" +
         (step == kNone ? std::string() : std::string(": ") + strerror(b.failed_errno));
}

}  // namespace

// The memory and block of a new init: its stack, the program's, and the block on top.
std::unique_ptr<JailedInit> JailedInit::make(const std::string& root, bool die_with_parent,
                                             std::string& error) {
  std::unique_ptr<JailedInit> self(new JailedInit());
  void* mem = stacks().take(error);
  if (!mem) return nullptr;
  self->memory_ = mem;
  char* base = static_cast<char*>(mem);
  self->init_stack_top_ = base + kGuardBytes + kStackBytes;
  char* main_stack_top = base + 2 * (kGuardBytes + kStackBytes);
  Block* b = new (main_stack_top) Block{};
  self->block_ = b;
  self->root_ = root;
  // Every string the init reads is built before it runs: it may not allocate.
  self->strings_.reserve(2 * kMaxMountSteps + 1);
  self->strings_.push_back(root + "/proc");
  // hidepid: the job sees its own processes only, not the init (root), which shares the
  // server's memory and so shows the server's command line.
  b->mounts[0] = {"proc", self->strings_[0].c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "hidepid=2"};
  b->mount_count = 1;
  b->root = self->root_.c_str();
  b->die_with_parent = die_with_parent ? 1 : 0;
  b->main_stack_top = main_stack_top;
  for (int& fd : b->attach_fds) fd = -1;
  return self;
}

bool JailedInit::set_program(const Jail& jail, const JailedExec& exec, std::string& error) {
  Block* b = block_;
  if (jail.cgroup_fds.size() > kMaxCgroups) {
    error = "too many cgroups for one jail";
    return false;
  }
  program_ = exec.argv[0];
  b->cwd = exec.cwd;
  b->netns_fd = jail.netns_fd;
  for (size_t i = 0; i < jail.cgroup_fds.size(); ++i) b->cgroup_fds[i] = jail.cgroup_fds[i];
  b->cgroup_count = static_cast<int>(jail.cgroup_fds.size());
  b->stdio[0] = exec.stdin_fd;
  b->stdio[1] = exec.stdout_fd;
  b->stdio[2] = exec.stderr_fd;
  b->stdio[3] = exec.fd3;
  auto limit = [&](long resource, int64_t value) {
    b->limits[b->limit_count++] = {resource, static_cast<unsigned long>(value)};
  };
  limit(RLIMIT_NOFILE, exec.open_files);
  limit(RLIMIT_CORE, 0);
  if (exec.address_space_bytes > 0) limit(RLIMIT_AS, exec.address_space_bytes);
  if (exec.file_size_bytes > 0) limit(RLIMIT_FSIZE, exec.file_size_bytes);
  if (jail.max_processes > 0) limit(RLIMIT_NPROC, jail.max_processes);
  const ProcessFacts& facts = process_facts();
  for (int sig : facts.ignored_signals) b->ignored_signals[b->ignored_count++] = sig;
  b->last_capability = facts.last_capability;
  b->open_files_limit = facts.open_files_limit;
  b->uid = jail.uid;
  b->gid = jail.gid;
  b->filter = &job_syscall_filter();
  b->argv = exec.argv;
  b->envp = exec.envp;
  return true;
}

bool JailedInit::clone_init(std::string& error) {
  // CLONE_FILES: the init holds no copies of the server's descriptors (a connection closed by
  // the server is closed) and lets the table go once its program started; the program gets
  // its own table, and keeps only 0 to 3.
  int pid =
      clone(jail_init, init_stack_top_,
            CLONE_VM | CLONE_FILES | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | SIGCHLD, block_);
  if (pid < 0) {
    error = std::string("cannot make the job's namespaces: ") + strerror(errno);
    return false;
  }
  pid_ = pid;
  return true;
}

bool JailedInit::wait_until_started(std::string& error) {
  Block* b = block_;
  while (!__atomic_load_n(&b->ready, __ATOMIC_SEQ_CST)) {
    struct timespec tick = {0, 100 * 1000 * 1000};
    raw_syscall(SYS_futex, reinterpret_cast<long>(&b->ready), FUTEX_WAIT, 0,
                reinterpret_cast<long>(&tick));
    siginfo_t info{};
    if (!__atomic_load_n(&b->ready, __ATOMIC_SEQ_CST) &&
        waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 &&
        info.si_pid == pid_) {
      break;  // the init ended without saying so (killed)
    }
  }
  if (!__atomic_load_n(&b->ready, __ATOMIC_SEQ_CST) || b->failed_step != kNone) {
    error = failure_text(*b, program_.c_str(), root_);
    return false;  // the destructor reaps the init
  }
  return true;
}

std::unique_ptr<JailedInit> JailedInit::start(const Jail& jail, const JailedExec& exec,
                                              std::string& error) {
  auto self = make(jail.root, exec.die_with_parent, error);
  if (!self) return nullptr;
  Block* b = self->block_;
  auto& s = self->strings_;
  for (const Bind& bind : jail.binds) {
    if (b->mount_count + 2 > kMaxMountSteps) {
      error = "too many mounts for one jail";
      return nullptr;
    }
    s.push_back(bind.source);  // the jail may be gone before the init reads it
    const char* source = s.back().c_str();
    s.push_back(jail.root + bind.target);
    b->mounts[b->mount_count++] = {source, s.back().c_str(), nullptr, MS_BIND | MS_REC, nullptr};
    if (bind.read_only) {
      b->mounts[b->mount_count++] = {nullptr, s.back().c_str(), nullptr,
                                     MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
                                     nullptr};
    }
  }
  if (!self->set_program(jail, exec, error) || !self->clone_init(error)) return nullptr;
  // A caller that waits for the end anyway learns of a failed start then (start_failure()).
  if (exec.wait_until_started && !self->wait_until_started(error)) return nullptr;
  return self;
}

std::unique_ptr<JailedInit> JailedInit::prepare(const std::string& root, bool die_with_parent,
                                                std::string& error) {
  auto self = make(root, die_with_parent, error);
  if (!self) return nullptr;
  self->block_->prepared = 1;
  if (!self->clone_init(error)) return nullptr;
  return self;
}

bool JailedInit::launch(const Jail& jail, const JailedExec& exec, std::string& error) {
  Block* b = block_;
  if (!b->prepared || __atomic_load_n(&b->go, __ATOMIC_SEQ_CST) || jail.root != root_ ||
      exec.die_with_parent != (b->die_with_parent != 0)) {
    error = "this init was not prepared for this jail";
    return false;
  }
  // An init that could not make its namespace (it said so) or was killed meanwhile: unusable.
  siginfo_t info{};
  if (__atomic_load_n(&b->ready, __ATOMIC_SEQ_CST) ||
      (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 &&
       info.si_pid == pid_)) {
    error = "the init made ahead ended before its job";
    return false;
  }
  // Each bind as a detached copy of its tree, read-only already where it must be: the init,
  // pivoted into the root, no longer sees the host paths, and attaches these instead.
  auto& s = strings_;
  for (const Bind& bind : jail.binds) {
    if (b->mount_count + 1 > kMaxMountSteps) {
      error = "too many mounts for one jail";
      return false;
    }
    int fd = open_tree(AT_FDCWD, bind.source.c_str(),
                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (fd < 0) {
      error = "cannot mount " + bind.target + " in the job's sandbox: " + strerror(errno);
      return false;  // the descriptors taken so far are closed with this init
    }
    s.push_back(bind.target);
    b->mounts[b->mount_count] = {nullptr, s.back().c_str(), nullptr, 0, nullptr};
    b->attach_fds[b->mount_count++] = fd;
    if (bind.read_only) {
      struct mount_attr attr {};
      attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
      if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
        error =
            "cannot mount " + bind.target + " read-only in the job's sandbox: " + strerror(errno);
        return false;
      }
    }
  }
  if (!set_program(jail, exec, error)) return false;
  __atomic_store_n(&b->go, 1, __ATOMIC_SEQ_CST);
  raw_syscall(SYS_futex, reinterpret_cast<long>(&b->go), FUTEX_WAKE, 1);
  if (exec.wait_until_started && !wait_until_started(error)) return false;
  return true;
}

pid_t JailedInit::main_pid() const {
  // The init's only child (read once, when someone asks: only warm interpreters do).
  if (main_pid_ < 0 && pid_ > 0) {
    std::ifstream children("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) +
                           "/children");
    children >> main_pid_;
  }
  return main_pid_;
}

std::string JailedInit::start_failure() const {
  if (!block_ || !__atomic_load_n(&block_->ready, __ATOMIC_SEQ_CST) ||
      block_->failed_step == kNone) {
    return "";
  }
  return failure_text(*block_, program_.c_str(), root_);
}

int JailedInit::on_reaped(int init_status) {
  reaped_ = true;
  if (block_ && __atomic_load_n(&block_->main_done, __ATOMIC_SEQ_CST)) return block_->main_status;
  return init_status;
}

JailedInit::~JailedInit() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    int status;
    while (waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) {
    }
  }
  // Detached trees the init did not take (it was never launched, or was killed first): the
  // init is gone, so no one else closes these numbers.
  if (block_) {
    for (int& fd : block_->attach_fds) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }
  if (memory_) stacks().give_back(memory_);
}

}  // namespace millrace::sandbox
