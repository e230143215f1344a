// Flows: each save is a version (the value a webhook pins when it runs one), a flow may be
// renamed but never onto another, archived and revived, deleted. This service owns their rows
// and the audit row of every change. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/flows.h"

namespace millrace::auth {
struct Identity;
}
namespace millrace::store {
class Database;
}

namespace millrace::service {

class Flows {
 public:
  Flows(store::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Saves `f` (checked for shape) as a new version by `who`: a new flow when `old_path` is
  // absent, else the flow at `old_path`, renamed to f.path when they differ. Sets f.version_id.
  // 404 when there is no flow at `old_path`; 400 when f.path is another flow's.
  Status save(const auth::Identity& who, store::FlowRecord& f,
              const std::optional<std::string>& old_path,
              const std::optional<std::string>& deployment_msg);
  // 404 when there is no flow at `path`.
  Status set_archived(const auth::Identity& who, const std::string& ws, const std::string& path,
                      bool archived);
  Status remove(const auth::Identity& who, const std::string& ws, const std::string& path);

  Result<std::optional<store::FlowRecord>> find(const std::string& ws, const std::string& path);
  Result<std::optional<store::FlowRecord>> find_version(const std::string& ws, int64_t version);
  Result<std::vector<store::FlowRecord>> list(const std::string& ws,
                                              const store::FlowListFilter& filter);
  // The versions of the flow at `path`, newest first (empty when there is none).
  Result<std::vector<store::FlowVersionInfo>> history(const std::string& ws,
                                                      const std::string& path);

 private:
  store::Database& db_;
  const Clock& clock_;
};

// 404 `Flow not found at path <path>`.
Error flow_not_found(const std::string& path);

}  // namespace millrace::service
