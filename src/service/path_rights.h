// What a caller may do with a path of a workspace: Windmill's ownership. `u/<user>/…` is that
// user's; `f/<folder>/…` is the folder's: its owners and the members its extra_perms name with
// `true` (or `g/all` for everyone) write there, those named with `false` read; admins read and
// write everywhere; an operator reads and runs what it may read, and writes nothing. The same
// rules hold for scripts, flows, variables and resources, and for a job (as its user).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/identity.h"
#include "common/error.h"

namespace millrace::store {
struct FolderRecord;
}

namespace millrace::service {

class Folders;

struct PathRights {
  bool read = false;
  bool write = false;
};

// A member's rights in a folder.
PathRights folder_rights(const auth::Identity& who, const store::FolderRecord& folder);

Result<PathRights> path_rights(Folders& folders, const auth::Identity& who, const std::string& ws,
                               const std::string& path);

// The path prefixes `who` may read ("u/<username>/", "f/<folder>/", …), or nullopt when it may
// read every path (admins).
Result<std::optional<std::vector<std::string>>> readable_prefixes(Folders& folders,
                                                                  const auth::Identity& who,
                                                                  const std::string& ws);

// Whether `who` may read (see, run) what is at `path`. Routes answer as if it were absent when
// it may not.
Result<bool> may_read_path(Folders& folders, const auth::Identity& who, const std::string& ws,
                           const std::string& path);

// 403 unless `who` may write at `path`, with the reason in words.
Status may_write_path(Folders& folders, const auth::Identity& who, const std::string& ws,
                      const std::string& path);

}  // namespace millrace::service
