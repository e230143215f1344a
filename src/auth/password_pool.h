// Where passwords are hashed and checked: argon2id costs tens of milliseconds and 64 MB each,
// so it runs on a few threads of its own, never on the HTTP threads, with a bounded queue. A
// check against no account costs the same as one against a real hash (of a password nobody
// has), so an unknown email cannot be told from a wrong password by the time it takes.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace millrace::auth {

class PasswordPool {
 public:
  PasswordPool(size_t threads, size_t max_waiting);
  ~PasswordPool();
  PasswordPool(const PasswordPool&) = delete;
  PasswordPool& operator=(const PasswordPool&) = delete;

  // Checks `password` against `hash` (nullopt: no account; the answer is then false, after the
  // same work). `done` runs on a pool thread. False when max_waiting are already waiting (then
  // `done` is never called).
  bool verify(std::optional<std::string> hash, std::string password,
              std::function<void(bool)> done);
  // Hashes `password`; `done` gets nullopt when hashing failed. False when the queue is full.
  bool hash(std::string password, std::function<void(std::optional<std::string>)> done);
  // Refuses new work, drops what waits (its `done` is never called), and returns once the work
  // in hand is done. Idempotent; the destructor calls it.
  void stop();

 private:
  bool submit(std::function<void()> work);
  void run();

  const size_t max_waiting_;
  std::string decoy_hash_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> waiting_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace millrace::auth
