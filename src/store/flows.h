// Flows. `flow` holds the current definition of each path; every save also appends an
// immutable row to `flow_version`, whose id pins that definition (/jobs/run/fv/<id>).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"

namespace millrace::store {

class Connection;

struct FlowRecord {
  std::string workspace_id;
  std::string path;
  std::string summary;
  std::string description;
  std::string value_json;  // the OpenFlow value: {"modules": [...], ...}, as given
  std::optional<std::string> schema_json;
  std::optional<std::string> extra_json;  // other OpenFlowWPath fields, returned as given
  bool archived = false;  // of the flow (for a version: whether its flow is archived now)
  std::string edited_by;
  EpochMs edited_at = 0;
  int64_t version_id = 0;  // the flow_version row of this definition
};

struct FlowVersionInfo {
  int64_t id = 0;
  std::string created_by;
  EpochMs created_at = 0;
  std::optional<std::string> deployment_msg;
};

struct FlowListFilter {
  std::optional<std::string> path_start;
  bool show_archived = false;  // true lists only archived flows, as Windmill does
  // Set: only paths under one of these prefixes (what a member may read).
  std::optional<std::vector<std::string>> visible_prefixes;
  int64_t limit = 1000;
  int64_t offset = 0;
};

Result<std::optional<FlowRecord>> find_flow(Connection& c, const std::string& ws,
                                            const std::string& path);
// The definition saved as version `id` (with that version's path), if it is in `ws`.
Result<std::optional<FlowRecord>> find_flow_version(Connection& c, const std::string& ws,
                                                    int64_t id);
// Most recently edited first.
Result<std::vector<FlowRecord>> list_flows(Connection& c, const std::string& ws,
                                           const FlowListFilter& f);
// Newest first.
Result<std::vector<FlowVersionInfo>> flow_history(Connection& c, const std::string& ws,
                                                  const std::string& path);
// Appends a version and makes it the flow at f.path (un-archiving it); when `renamed_from`
// is set, that path's row is replaced. Sets f.version_id.
Status save_flow(Connection& c, FlowRecord& f, const std::optional<std::string>& renamed_from,
                 const std::optional<std::string>& deployment_msg);
// Rows changed (0 when there is no flow at the path).
Result<int64_t> set_flow_archived(Connection& c, const std::string& ws, const std::string& path,
                                  bool archived);
// Removes the flow and all its versions; rows of `flow` removed (0 or 1).
Result<int64_t> delete_flow(Connection& c, const std::string& ws, const std::string& path);

}  // namespace millrace::store
