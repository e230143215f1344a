// The system-call filter every job process runs under: a deny-list of the calls a job has no
// business making (tracing or reading other processes, loading kernels or modules, mounting,
// new namespaces, BPF, perf, the kernel keyring, io_uring), answered EPERM; clone3 answers
// ENOSYS so that libc falls back to clone, whose flags can be checked. Any other architecture's
// calls (32-bit x86 on x86_64, x32) kill the process.
#pragma once

#include <linux/filter.h>

#include <vector>

namespace millrace::sandbox {

// The filter program, built once and kept for the life of the process (jobs install it by
// pointer right before exec).
const sock_fprog& job_syscall_filter();

// The names of the denied calls, for documentation and tests.
std::vector<const char*> denied_syscall_names();

}  // namespace millrace::sandbox
