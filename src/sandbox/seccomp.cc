#include "sandbox/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/syscall.h>

namespace millrace::sandbox {
namespace {

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
constexpr unsigned kX32Bit = 0x40000000;
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
constexpr unsigned kX32Bit = 0;
#endif

struct Denied {
  long nr;
  const char* name;
};

#define MR_DENY(name) \
  { SYS_##name, #name }
const Denied kDenied[] = {
    MR_DENY(ptrace),
    MR_DENY(process_vm_readv),
    MR_DENY(process_vm_writev),
    MR_DENY(kexec_load),
    MR_DENY(kexec_file_load),
    MR_DENY(mount),
    MR_DENY(umount2),
    MR_DENY(pivot_root),
    MR_DENY(bpf),
    MR_DENY(perf_event_open),
    MR_DENY(keyctl),
    MR_DENY(add_key),
    MR_DENY(request_key),
    MR_DENY(unshare),
    MR_DENY(setns),
    MR_DENY(init_module),
    MR_DENY(finit_module),
    MR_DENY(delete_module),
    MR_DENY(open_by_handle_at),
    MR_DENY(name_to_handle_at),
    MR_DENY(swapon),
    MR_DENY(swapoff),
    MR_DENY(reboot),
    MR_DENY(acct),
    MR_DENY(quotactl),
    MR_DENY(userfaultfd),
    MR_DENY(io_uring_setup),
    MR_DENY(io_uring_enter),
    MR_DENY(io_uring_register),
    MR_DENY(fsopen),
    MR_DENY(fsconfig),
    MR_DENY(fsmount),
    MR_DENY(fspick),
    MR_DENY(move_mount),
    MR_DENY(open_tree),
    MR_DENY(mount_setattr),
    MR_DENY(pidfd_getfd),
    MR_DENY(process_madvise),
    MR_DENY(syslog),
    MR_DENY(settimeofday),
    MR_DENY(clock_settime),
    MR_DENY(clock_adjtime),
    MR_DENY(adjtimex),
#if defined(__x86_64__)
    MR_DENY(iopl),
    MR_DENY(ioperm),
    MR_DENY(uselib),
#endif
};
#undef MR_DENY

constexpr unsigned kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

sock_filter statement(unsigned short code, unsigned k) {
  return sock_filter{code, 0, 0, k};
}
sock_filter jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
  return sock_filter{code, jt, jf, k};
}

std::vector<sock_filter> build() {
  constexpr unsigned kErrnoPerm = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
  constexpr unsigned kErrnoNoSys = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);
  std::vector<sock_filter> p;
  p.push_back(statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
  p.push_back(statement(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  p.push_back(statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  if (kX32Bit) {
    p.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, kX32Bit, 0, 1));
    p.push_back(statement(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  }
  for (const Denied& d : kDenied) {
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(d.nr), 0, 1));
    p.push_back(statement(BPF_RET | BPF_K, kErrnoPerm));
  }
  p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
  p.push_back(statement(BPF_RET | BPF_K, kErrnoNoSys));
  // clone: its flags are the first argument (the low word on both architectures).
  p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3));
  p.push_back(statement(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])));
  p.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kNamespaceFlags, 0, 1));
  p.push_back(statement(BPF_RET | BPF_K, kErrnoPerm));
  p.push_back(statement(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return p;
}

}  // namespace

const sock_fprog& job_syscall_filter() {
  static const std::vector<sock_filter> program = build();
  static const sock_fprog fprog{static_cast<unsigned short>(program.size()),
                                const_cast<sock_filter*>(program.data())};
  return fprog;
}

std::vector<const char*> denied_syscall_names() {
  std::vector<const char*> names;
  for (const Denied& d : kDenied) names.push_back(d.name);
  names.push_back("clone3 (ENOSYS)");
  names.push_back("clone with namespace flags");
  return names;
}

}  // namespace millrace::sandbox
