// Variables: plain values and secrets at paths of a workspace. A secret is sealed by the vault
// before it reaches the store, opened only when someone reads it, and every such read is
// audited (variables.decrypt_secret, with the job that read it). Creates, updates and deletes
// write their audit rows in the same transaction. Ownership is the caller's check
// (service/path_rights.h). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/secret_store.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::secrets {
class Vault;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

class Variables {
 public:
  Variables(store::Database& db, const Clock& clock, secrets::Vault& vault)
      : db_(db), clock_(clock), vault_(vault) {}

  // `v.value` in clear, unless `already_sealed` (a value from encrypt()). 400 when the path is
  // taken.
  Status create(const auth::Identity& who, store::VariableRecord v, bool already_sealed);
  struct Change {
    std::optional<std::string> path;
    std::optional<std::string> value;
    std::optional<bool> is_secret;
    std::optional<std::string> description;
  };
  // 404 when there is none at `path`; 400 when a new path is taken.
  Status update(const auth::Identity& who, const std::string& ws, const std::string& path,
                const Change& change, bool already_sealed);
  // 404 when there is none.
  Status remove(const auth::Identity& who, const std::string& ws, const std::string& path);

  Result<std::optional<store::VariableRecord>> find(const std::string& ws, const std::string& path);
  Result<std::vector<store::VariableRecord>> list(const std::string& ws,
                                                  const store::PathListFilter& filter);
  // The value in clear. Opening a secret writes its audit row first.
  Result<std::string> reveal(const auth::Identity& who, const store::VariableRecord& v);
  // `plaintext` sealed with the workspace's key (Windmill's variables/encrypt).
  Result<std::string> seal(const std::string& ws, const std::string& plaintext);
  // Every secret of the workspace in clear, to mask them in a job's logs (shown to nobody, so
  // not audited).
  Result<std::vector<std::string>> secrets_in_clear(const std::string& ws);

 private:
  // 400 unless `sealed` opens with the workspace's key (a value from another workspace's
  // encrypt, or none at all, would be a secret nobody can read).
  Status check_sealed(const std::string& ws, const std::string& sealed);

  store::Database& db_;
  const Clock& clock_;
  secrets::Vault& vault_;
};

}  // namespace millrace::service
