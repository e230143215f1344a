// Failed logins, counted per account and per client address: after the free failures (5 for an
// account, 20 for an address, which a whole office may share), the next attempt must wait 1 s,
// then 2 s, 4 s… (at most kMaxWaitMs) from the last failure; a success clears the account's
// count. Guessing a password, or many accounts' from one address, becomes slow, while a user
// who mistypes a few times notices nothing. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace millrace::auth {

class LoginLimiter {
 public:
  static constexpr int kFreeAccountFailures = 5;
  static constexpr int kFreeAddressFailures = 20;
  static constexpr int64_t kMaxWaitMs = 15 * 60 * 1000;
  static constexpr size_t kMaxTracked = 100000;  // beyond, the oldest quiet entries are dropped

  explicit LoginLimiter(const Clock& clock) : clock_(clock) {}
  // How long the caller must still wait before trying `account` from `address` (0: now).
  int64_t wait_ms(const std::string& account, const std::string& address);
  void failed(const std::string& account, const std::string& address);
  void succeeded(const std::string& account);

 private:
  struct Failures {
    int count = 0;
    EpochMs last = 0;
  };
  int64_t wait_for(const Failures& f, int free, EpochMs now) const;
  void forget_old(EpochMs now);

  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Failures> accounts_;
  std::unordered_map<std::string, Failures> addresses_;
};

}  // namespace millrace::auth
