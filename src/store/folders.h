// Folders: the f/<name>/ part of paths, who owns it and who else may read or write in it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/connection.h"

namespace millrace::store {

struct FolderRecord {
  std::string workspace_id;
  std::string name;
  std::optional<std::string> summary;
  std::vector<std::string> owners;          // "u/<username>"
  std::map<std::string, bool> extra_perms;  // "u/<username>" or "g/all" → may write (else read)
  std::string created_by;
  EpochMs edited_at = 0;
};

Result<std::optional<FolderRecord>> find_folder(Connection& c, const std::string& ws,
                                                const std::string& name);
// By name.
Result<std::vector<FolderRecord>> list_folders(Connection& c, const std::string& ws);
// Fails (the caller's check came first) when the name is taken.
Status insert_folder(Connection& c, const FolderRecord& f);
// Summary, owners and extra_perms of the folder at f.name.
Status update_folder(Connection& c, const FolderRecord& f);
// Rows removed (0 or 1).
Result<int64_t> delete_folder(Connection& c, const std::string& ws, const std::string& name);

}  // namespace millrace::store
