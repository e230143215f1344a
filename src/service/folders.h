// Folders: an f/<name>/ path belongs to a folder, whose owners and extra_perms say who writes and
// reads there. Any member but an operator may create one (and owns it); its owners and admins
// change or delete it. This service owns their rows and the audit row of every change.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/folders.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

// How a folder changed, as its audit row names it.
enum class FolderChange { Update, AddOwner, RemoveOwner };

class Folders {
 public:
  Folders(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Whether `who` may create folders: 403 for an operator.
  static Status may_create(const auth::Identity& who);
  // Creates `f`, with `who` among its owners. 403 as may_create(), 400 when the name is taken.
  Status create(const auth::Identity& who, store::FolderRecord f);
  // The folder `name` for `who` to change: 404 when there is none, 403 unless `who` owns it or
  // is an admin.
  Result<store::FolderRecord> owned(const auth::Identity& who, const std::string& ws,
                                    const std::string& name);
  // Stores `f` (read with owned(), then changed) as of now.
  Status update(const auth::Identity& who, store::FolderRecord f, FolderChange change);
  Status remove(const auth::Identity& who, const std::string& ws, const std::string& name);

  Result<std::optional<store::FolderRecord>> find(const std::string& ws, const std::string& name);
  Result<std::vector<store::FolderRecord>> list(const std::string& ws);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace millrace::service
