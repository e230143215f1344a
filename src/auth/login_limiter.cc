#include "auth/login_limiter.h"

#include <algorithm>

namespace millrace::auth {

int64_t LoginLimiter::wait_for(const Failures& f, int free, EpochMs now) const {
  if (f.count < free) return 0;
  int shift = std::min(f.count - free, 20);
  int64_t wait = std::min<int64_t>(1000ll << shift, kMaxWaitMs);
  return std::max<int64_t>(0, f.last + wait - now);
}

int64_t LoginLimiter::wait_ms(const std::string& account, const std::string& address) {
  std::lock_guard lock(mutex_);
  const EpochMs now = clock_.now_ms();
  int64_t wait = 0;
  if (auto it = accounts_.find(account); it != accounts_.end()) {
    wait = wait_for(it->second, kFreeAccountFailures, now);
  }
  if (auto it = addresses_.find(address); it != addresses_.end()) {
    wait = std::max(wait, wait_for(it->second, kFreeAddressFailures, now));
  }
  return wait;
}

void LoginLimiter::failed(const std::string& account, const std::string& address) {
  std::lock_guard lock(mutex_);
  const EpochMs now = clock_.now_ms();
  for (auto* map : {&accounts_, &addresses_}) {
    Failures& f = (*map)[map == &accounts_ ? account : address];
    ++f.count;
    f.last = now;
  }
  if (accounts_.size() + addresses_.size() > kMaxTracked) forget_old(now);
}

void LoginLimiter::succeeded(const std::string& account) {
  std::lock_guard lock(mutex_);
  accounts_.erase(account);
}

void LoginLimiter::forget_old(EpochMs now) {
  for (auto* map : {&accounts_, &addresses_}) {
    for (auto it = map->begin(); it != map->end();) {
      it = now - it->second.last > kMaxWaitMs ? map->erase(it) : std::next(it);
    }
  }
}

}  // namespace millrace::auth
