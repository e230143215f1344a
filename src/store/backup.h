// A copy of the SQLite database taken while the server runs (`millrace backup <file>`).
#pragma once

#include <string>

#include "common/error.h"

namespace millrace::store {

// Copies the database at `source` into a new file at `target` with SQLite's online backup: one
// read transaction, so the copy is the database as of one moment, whatever the server commits
// meanwhile (WAL readers never block its writer). The copy is written beside `target` and
// linked into place once complete and checked, so a failed backup leaves no half file.
// Refuses a `target` that already exists. Returns the number of pages copied.
Result<int64_t> backup_sqlite(const std::string& source, const std::string& target);

}  // namespace millrace::store
