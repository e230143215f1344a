// Sealing and opening secrets. Each workspace has a data key of its own (made on its first
// secret), stored sealed with the master key; a secret is sealed with its workspace's key. Opened
// data keys are kept in memory for the life of the process. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/error.h"
#include "secrets/master_key.h"

namespace millrace::store {
class Database;
}

namespace millrace::secrets {

class Vault {
 public:
  // Loads the master key and checks it against the database. On a first start (no key anywhere)
  // it makes one and writes its file; a key that does not open what the database holds, or a
  // missing file while the database holds secrets, is an error that says what to do (nothing
  // is ever made anew over data that needs the old key). Also finishes a rotation that a crash
  // interrupted (the new key waits in <file>.new).
  static Result<std::unique_ptr<Vault>> open(store::Database& db, const MasterKeySource& source,
                                             const Clock& clock);

  Result<std::string> seal(const std::string& ws, std::string_view plaintext);
  // 500 when `sealed` does not open with the workspace's key.
  Result<std::string> unseal(const std::string& ws, std::string_view sealed);

 private:
  Vault(store::Database& db, std::string master, const Clock& clock)
      : db_(db), master_(std::move(master)), clock_(clock) {}
  Result<std::string> data_key(const std::string& ws);

  store::Database& db_;
  const std::string master_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> keys_;  // workspace → opened data key
};

// `millrace rotate-key`: a new master key seals every data key, in one transaction. With a key
// file, the new key is written to <file>.new first and renamed over the file after the commit
// (Vault::open finishes the rename if a crash came between). With MILLRACE_MASTER_KEY, answers
// the new key for the operator to put there; otherwise answers "".
Result<std::string> rotate_master_key(store::Database& db, const MasterKeySource& source);

}  // namespace millrace::secrets
