// Sealing and opening secrets. Each workspace has a data key of its own (made on its first
// secret), stored sealed with the master key; a secret is sealed with its workspace's key. Opened
// data keys are kept in memory for the life of the process. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
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
  // Loads the master key and checks it against the database, when the database holds sealed
  // data: a key that does not open it, or a missing file, is an error that says what to do
  // (nothing is ever made anew over data that needs the old key). Also finishes a rotation that
  // a crash interrupted (the new key waits in <file>.new). A database without secrets needs no
  // key yet: the first secret takes the key given, or makes one and writes its file (so a new
  // node of a shared database, or a restored copy, starts without a key until secrets exist).
  static Result<std::unique_ptr<Vault>> open(store::Database& db, const MasterKeySource& source,
                                             const Clock& clock);

  Result<std::string> seal(const std::string& ws, std::string_view plaintext);
  // 500 when `sealed` does not open with the workspace's key.
  Result<std::string> unseal(const std::string& ws, std::string_view sealed);

 private:
  Vault(store::Database& db, MasterKeySource source, std::optional<std::string> master,
        const Clock& clock)
      : db_(db), source_(std::move(source)), master_(std::move(master)), clock_(clock) {}
  Result<std::string> master_key();
  Result<std::string> data_key(const std::string& ws);

  store::Database& db_;
  const MasterKeySource source_;
  std::mutex master_mutex_;
  std::optional<std::string> master_;  // loaded at open, or at the first secret
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
