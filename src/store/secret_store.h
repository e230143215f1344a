// Variables (plain or secret), resources, resource types, and the wrapped data key of each
// workspace. A secret variable's value is stored sealed (secrets/vault.h); this layer never
// sees a secret in clear.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/connection.h"

namespace millrace::store {

struct VariableRecord {
  std::string workspace_id;
  std::string path;
  std::string value;  // sealed when is_secret
  bool is_secret = false;
  std::string description;
  std::optional<int64_t> account;
  bool is_oauth = false;
  std::optional<EpochMs> expires_at;
  std::string created_by;
  EpochMs edited_at = 0;
};

struct ResourceRecord {
  std::string workspace_id;
  std::string path;
  std::string value_json;
  std::string description;
  std::string resource_type;
  std::string created_by;
  EpochMs edited_at = 0;
};

struct ResourceTypeRecord {
  std::string workspace_id;
  std::string name;
  std::optional<std::string> schema_json;
  std::string description;
  std::optional<std::string> format_extension;
  std::string created_by;
  EpochMs edited_at = 0;
};

struct PathListFilter {
  std::optional<std::string> path_start;
  std::optional<std::string> path_exact;
  std::optional<std::string> resource_type;          // resources: a comma list of types
  std::optional<std::string> resource_type_exclude;  // resources: a comma list of types
  // Set: only paths under one of these prefixes (what a member may read).
  std::optional<std::vector<std::string>> visible_prefixes;
  int64_t limit = 1000;
  int64_t offset = 0;
};

Result<std::optional<VariableRecord>> find_variable(Connection& c, const std::string& ws,
                                                    const std::string& path);
Result<std::vector<VariableRecord>> list_variables(Connection& c, const std::string& ws,
                                                   const PathListFilter& f);
// Every secret of the workspace (sealed values), for masking a job's logs.
Result<std::vector<VariableRecord>> list_secret_variables(Connection& c, const std::string& ws);
Status insert_variable(Connection& c, const VariableRecord& v);
// Every field of the row at (v.workspace_id, old_path), the path included.
Status update_variable(Connection& c, const std::string& old_path, const VariableRecord& v);
Result<int64_t> delete_variable(Connection& c, const std::string& ws, const std::string& path);

Result<std::optional<ResourceRecord>> find_resource(Connection& c, const std::string& ws,
                                                    const std::string& path);
Result<std::vector<ResourceRecord>> list_resources(Connection& c, const std::string& ws,
                                                   const PathListFilter& f);
Status insert_resource(Connection& c, const ResourceRecord& r);
Status update_resource(Connection& c, const std::string& old_path, const ResourceRecord& r);
Result<int64_t> delete_resource(Connection& c, const std::string& ws, const std::string& path);

// The workspace's own types and those of `shared_ws` (the instance-wide ones), by name.
Result<std::optional<ResourceTypeRecord>> find_resource_type(Connection& c, const std::string& ws,
                                                             const std::string& shared_ws,
                                                             const std::string& name);
Result<std::vector<ResourceTypeRecord>> list_resource_types(Connection& c, const std::string& ws,
                                                            const std::string& shared_ws);
Status insert_resource_type(Connection& c, const ResourceTypeRecord& t);
Status update_resource_type(Connection& c, const ResourceTypeRecord& t);
Result<int64_t> delete_resource_type(Connection& c, const std::string& ws, const std::string& name);

struct WrappedKey {
  std::string workspace_id;
  std::string wrapped;  // the data key sealed with the master key
};
Result<std::optional<std::string>> find_workspace_key(Connection& c, const std::string& ws);
// Keeps the first key written for a workspace (another node may have written one first).
Status insert_workspace_key(Connection& c, const std::string& ws, const std::string& wrapped,
                            EpochMs now);
Result<std::vector<WrappedKey>> list_workspace_keys(Connection& c);
Status update_workspace_key(Connection& c, const std::string& ws, const std::string& wrapped);

}  // namespace millrace::store
