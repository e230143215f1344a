// The instance's master key: it seals each workspace's data key, and is kept outside the
// database, so that a copy of the database (a stolen SQLite file, a PostgreSQL dump) shows no
// secret. It comes from MILLRACE_MASTER_KEY (the key itself), else from a file:
// MILLRACE_MASTER_KEY_FILE, else master.key in the data folder, written (mode 0600) with the
// instance's first secret. Either form holds 32 bytes as base64 or hex.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"

namespace millrace::secrets {

struct MasterKeySource {
  std::string value;             // MILLRACE_MASTER_KEY; empty: the file
  std::string file;              // the key file
  std::string describe() const;  // "MILLRACE_MASTER_KEY" or "the key file <path>"
};

// The key of `text` (base64 or hex of 32 bytes, surrounding blanks ignored).
Result<std::string> decode_key(const std::string& text, const std::string& where);
std::string encode_key(const std::string& key);

// The key of `source`; nullopt when it is a file that does not exist.
Result<std::optional<std::string>> read_master_key(const MasterKeySource& source);
// Writes `key` to `path` (mode 0600) through a temporary file renamed over it.
Status write_key_file(const std::string& path, const std::string& key);

}  // namespace millrace::secrets
