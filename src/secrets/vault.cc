#include "secrets/vault.h"

#include <cstdio>

#include "secrets/cipher.h"
#include "store/database.h"
#include "store/secret_store.h"
#include "store/users.h"

namespace millrace::secrets {
namespace {

// A value sealed with the master key, kept in the database: a key that does not open it is not
// the key the database was made with.
constexpr const char* kCheckName = "master_key_check";
constexpr const char* kCheckContext = "millrace master key check";

std::string key_context(const std::string& ws) {
  return "millrace workspace key:" + ws;
}
std::string secret_context(const std::string& ws) {
  return "millrace secret:" + ws;
}

Result<std::optional<std::string>> stored_check(store::Database& db) {
  return db.read([](store::Connection& c) { return store::find_server_secret(c, kCheckName); });
}

bool opens_check(const std::string& key, const std::string& check) {
  return open(key, check, kCheckContext).has_value();
}

Error wrong_key(const MasterKeySource& source) {
  return Error::internal(
      "the master key from " + source.describe() +
      " does not open this database's secrets: it is not the key they were sealed with. Start "
      "with the right key (set MILLRACE_MASTER_KEY or MILLRACE_MASTER_KEY_FILE, or restore the "
      "file); nothing was changed");
}

// The key of `source`, checked against the database's `check`. A key that fails may be the
// old one of a rotation that committed before its new key file replaced it: then the new one
// (in <file>.new) is taken and the rename finished.
Result<std::string> checked_key(const MasterKeySource& source, const std::string& check) {
  auto key = read_master_key(source);
  if (!key) return key.error();
  if (!*key) {
    return Error::internal(
        "the master key is missing: " + source.describe() +
        " does not exist, but this database holds secrets sealed with a master key. Restore "
        "the file (every node of a shared database needs the same key), or set "
        "MILLRACE_MASTER_KEY");
  }
  if (opens_check(**key, check)) return **key;
  MasterKeySource pending{"", source.file + ".new"};
  auto rotated = source.value.empty() ? read_master_key(pending)
                                      : Result<std::optional<std::string>>(std::nullopt);
  if (!rotated || !*rotated || !opens_check(**rotated, check)) return wrong_key(source);
  if (std::rename(pending.file.c_str(), source.file.c_str()) != 0) {
    return Error::internal("cannot finish the key rotation: rename " + pending.file + " to " +
                           source.file);
  }
  return **rotated;
}

}  // namespace

Result<std::unique_ptr<Vault>> Vault::open(store::Database& db, const MasterKeySource& source,
                                           const Clock& clock) {
  auto check = stored_check(db);
  if (!check) return check.error();
  std::optional<std::string> master;
  if (*check) {
    auto key = checked_key(source, **check);
    if (!key) return key.error();
    master = std::move(*key);
  } else if (!source.value.empty()) {
    // Nothing sealed yet: the key is taken at the first secret, but a malformed one is told now.
    auto key = read_master_key(source);
    if (!key) return key.error();
  }
  return std::unique_ptr<Vault>(new Vault(db, source, std::move(master), clock));
}

Result<std::string> Vault::master_key() {
  std::lock_guard lock(master_mutex_);
  if (master_) return *master_;
  auto check = stored_check(db_);
  if (!check) return check.error();
  if (*check) {
    // Another node sealed the first secret.
    auto key = checked_key(source_, **check);
    if (!key) return key.error();
    master_ = std::move(*key);
    return *master_;
  }
  // The instance's first secret: the key given, or a new one in the key file.
  auto key = read_master_key(source_);
  if (!key) return key.error();
  if (!*key) {
    *key = generate_key();
    if (auto s = write_key_file(source_.file, **key); !s) return s.error();
  }
  const std::string sealed_check = secrets::seal(**key, "ok", kCheckContext);
  Status st = db_.write_sync([&](store::Connection& c) {
    return store::insert_server_secret(c, kCheckName, sealed_check);
  });
  if (!st) return st.error();
  // Another node of a shared database may have written its check first.
  check = stored_check(db_);
  if (!check) return check.error();
  if (!*check || !opens_check(**key, **check)) return wrong_key(source_);
  master_ = std::move(**key);
  return *master_;
}

Result<std::string> Vault::data_key(const std::string& ws) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = keys_.find(ws); it != keys_.end()) return it->second;
  }
  auto wrapped = db_.read([&](store::Connection& c) { return store::find_workspace_key(c, ws); });
  if (!wrapped) return wrapped.error();
  auto master = master_key();
  if (!master) return master.error();
  if (!*wrapped) {
    // The workspace's first secret. Another node may make one at the same time: the first
    // written is kept, and read back.
    std::string candidate = secrets::seal(*master, generate_key(), key_context(ws));
    Status s = db_.write_sync([&](store::Connection& c) {
      return store::insert_workspace_key(c, ws, candidate, clock_.now_ms());
    });
    if (!s) return s.error();
    wrapped = db_.read([&](store::Connection& c) { return store::find_workspace_key(c, ws); });
    if (!wrapped) return wrapped.error();
    if (!*wrapped) return Error::internal("the data key of workspace " + ws + " was not stored");
  }
  auto key = secrets::open(*master, **wrapped, key_context(ws));
  if (!key) return Error::internal("the data key of workspace " + ws + " does not open");
  std::lock_guard lock(mutex_);
  return keys_.emplace(ws, std::move(*key)).first->second;
}

Result<std::string> Vault::seal(const std::string& ws, std::string_view plaintext) {
  auto key = data_key(ws);
  if (!key) return key.error();
  return secrets::seal(*key, plaintext, secret_context(ws));
}

Result<std::string> Vault::unseal(const std::string& ws, std::string_view sealed) {
  auto key = data_key(ws);
  if (!key) return key.error();
  auto plain = secrets::open(*key, sealed, secret_context(ws));
  if (!plain) {
    return Error::internal(
        "Could not decrypt value. The value may have been encrypted with a different key.");
  }
  return *plain;
}

Result<std::string> rotate_master_key(store::Database& db, const MasterKeySource& source) {
  auto check = stored_check(db);
  if (!check) return check.error();
  if (!*check) {
    return Error::bad_request("this database holds no secret yet: there is no key to rotate");
  }
  // Checks the current key (and finishes an earlier interrupted rotation).
  auto old_key = checked_key(source, **check);
  if (!old_key) return old_key.error();
  const std::string& current = *old_key;
  const std::string next = generate_key();
  const std::string pending = source.file + ".new";
  if (source.value.empty()) {
    if (auto s = write_key_file(pending, next); !s) return s.error();
  }
  Status st = db.write_sync([&](store::Connection& c) -> Status {
    auto keys = store::list_workspace_keys(c);
    if (!keys) return keys.error();
    for (const auto& k : *keys) {
      auto data = open(current, k.wrapped, key_context(k.workspace_id));
      if (!data) {
        return Error::internal("the data key of workspace " + k.workspace_id +
                               " does not open with the current master key");
      }
      MR_TRY(store::update_workspace_key(c, k.workspace_id,
                                         seal(next, *data, key_context(k.workspace_id))));
    }
    return store::update_server_secret(c, kCheckName, seal(next, "ok", kCheckContext));
  });
  if (!st) {
    if (source.value.empty()) std::remove(pending.c_str());
    return st.error();
  }
  if (!source.value.empty()) return encode_key(next);
  if (std::rename(pending.c_str(), source.file.c_str()) != 0) {
    return Error::internal("the database now needs the key in " + pending + ": rename it to " +
                           source.file);
  }
  return std::string();
}

}  // namespace millrace::secrets
