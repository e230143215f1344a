#include "auth/password_pool.h"

#include "auth/password.h"
#include "common/random.h"

namespace millrace::auth {

PasswordPool::PasswordPool(size_t threads, size_t max_waiting)
    : max_waiting_(max_waiting), decoy_hash_(hash_password(random_alphanumeric(32)).value_or("")) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i)
    threads_.emplace_back([this] { run(); });
}

PasswordPool::~PasswordPool() {
  stop();
}

void PasswordPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    waiting_.clear();
  }
  ready_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool PasswordPool::submit(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || waiting_.size() >= max_waiting_) return false;
    waiting_.push_back(std::move(work));
  }
  ready_.notify_one();
  return true;
}

bool PasswordPool::verify(std::optional<std::string> hash, std::string password,
                          std::function<void(bool)> done) {
  return submit(
      [this, hash = std::move(hash), password = std::move(password), done = std::move(done)] {
        // No account: the same argon2id work against a hash no password matches.
        bool ok = verify_password(hash ? *hash : decoy_hash_, password) && hash.has_value();
        done(ok);
      });
}

bool PasswordPool::hash(std::string password,
                        std::function<void(std::optional<std::string>)> done) {
  return submit(
      [password = std::move(password), done = std::move(done)] { done(hash_password(password)); });
}

void PasswordPool::run() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      work = std::move(waiting_.front());
      waiting_.pop_front();
    }
    work();
  }
}

}  // namespace millrace::auth
