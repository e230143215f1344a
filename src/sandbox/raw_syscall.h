// System calls without libc, for code that runs in a child sharing the server's memory and
// thread-local storage (a CLONE_VM child runs beside the thread that made it): glibc's wrappers
// would write that thread's errno. Each answers the kernel's value: -errno on failure.
#pragma once

namespace millrace::sandbox {

#if defined(__x86_64__)
__attribute__((always_inline)) inline long raw_syscall(long n, long a = 0, long b = 0, long c = 0,
                                                       long d = 0, long e = 0, long f = 0) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
__attribute__((always_inline)) inline long raw_syscall(long n, long a = 0, long b = 0, long c = 0,
                                                       long d = 0, long e = 0, long f = 0) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0"
                   : "+r"(x0)
                   : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                   : "memory");
  return x0;
}
#else
#error "the job sandbox supports x86_64 and aarch64"
#endif

}  // namespace millrace::sandbox
