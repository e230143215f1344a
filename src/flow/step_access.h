// Whether the user a flow runs as may run what one of its steps names by path (a saved script,
// another flow): the answer a webhook would give that user. A flow may name paths its runner
// may not read (saved by someone else, or a preview written by hand); those steps fail as if
// the path were empty, and nothing of them runs.
#pragma once

#include <string>

#include "common/error.h"

namespace millrace::store {
struct JobRecord;
}

namespace millrace::flow {

class StepAccess {
 public:
  virtual ~StepAccess() = default;
  // Ok, or an error in words that tells nothing of what is at `path` ("script not found ...").
  // `kind`: "script" or "flow".
  virtual Status may_run(const store::JobRecord& flow, const std::string& kind,
                         const std::string& path) = 0;
};

}  // namespace millrace::flow
