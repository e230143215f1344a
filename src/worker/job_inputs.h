// What a job gets from its workspace as it starts: its arguments with their `$var:` and `$res:`
// references resolved (as the job's user may read them: a caller reads nothing through a
// script that it could not read itself), and the secrets to mask in its output. The stored
// arguments keep the references. Implemented over the workspace's services
// (service/job_inputs.h).
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "store/jobs.h"

namespace millrace::worker {

class JobInputs {
 public:
  struct Prepared {
    std::string args_json;
    std::vector<std::string> secrets;  // in clear: masked as *** in the job's logs
  };
  virtual ~JobInputs() = default;
  // An error fails the job before it starts (a reference to nothing, or to what it may not read).
  virtual Result<Prepared> prepare(const store::JobRecord& job) = 0;
};

}  // namespace millrace::worker
