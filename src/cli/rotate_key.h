// `millrace rotate-key`: a new master key for the secrets of the database of --data (or
// DATABASE_URL). Safe while servers run: they keep their opened workspace keys; the next start
// reads the new key.
#pragma once

#include "common/config.h"
#include "secrets/master_key.h"

namespace millrace::cli {

// Where this configuration takes its master key from.
secrets::MasterKeySource master_key_source(const Config& config);

// Prints what it did, or why it could not; returns the exit code.
int rotate_key(const Config& config);

}  // namespace millrace::cli
