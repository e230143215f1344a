// Resources (JSON values of a type, at paths of a workspace: a database's connection, an API's
// credentials, a script's state) and resource types (a name and a JSON schema). A resource's
// value may name secrets (`$var:<path>`) and other resources (`$res:<path>`): they stay names
// here and are resolved by service/references.h, as the reader may read them. Resource types of
// the `admins` workspace are seen by every workspace, as on Windmill. Writes are audited in
// their transaction. Ownership is the caller's check. Thread-safe.
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
namespace millrace::store {
class Database;
}

namespace millrace::service {

class Resources {
 public:
  static constexpr const char* kSharedTypesWorkspace = "admins";

  Resources(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // 400 when the path is taken, unless `update_if_exists` (then value, description and type
  // are replaced).
  Status create(const auth::Identity& who, store::ResourceRecord r, bool update_if_exists);
  struct Change {
    std::optional<std::string> path;
    std::optional<std::string> value_json;
    std::optional<std::string> description;
    std::optional<std::string> resource_type;
  };
  // 404 when there is none at `path`; 400 when a new path is taken.
  Status update(const auth::Identity& who, const std::string& ws, const std::string& path,
                const Change& change);
  Status remove(const auth::Identity& who, const std::string& ws, const std::string& path);
  Result<std::optional<store::ResourceRecord>> find(const std::string& ws, const std::string& path);
  Result<std::vector<store::ResourceRecord>> list(const std::string& ws,
                                                  const store::PathListFilter& filter);

  // 400 when the workspace has a type of that name.
  Status create_type(const auth::Identity& who, store::ResourceTypeRecord t);
  // Schema, description and format extension. 404 when the workspace has no type of that name.
  Status update_type(const auth::Identity& who, store::ResourceTypeRecord t);
  Status remove_type(const auth::Identity& who, const std::string& ws, const std::string& name);
  Result<std::optional<store::ResourceTypeRecord>> find_type(const std::string& ws,
                                                             const std::string& name);
  Result<std::vector<store::ResourceTypeRecord>> list_types(const std::string& ws);

 private:
  store::Database& db_;
  const Clock& clock_;
};

}  // namespace millrace::service
