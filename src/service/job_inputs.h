// worker::JobInputs over the workspace's services: a job's references resolved as its user
// (service/references.h), and every secret of its workspace to mask in its output. The
// arguments of a job an HTTP route started come from outside: they are taken literally.
#pragma once

#include "worker/job_inputs.h"

namespace millrace::auth {
class Authenticator;
}

namespace millrace::service {

class Folders;
class Resources;
class Variables;

class WorkspaceJobInputs final : public worker::JobInputs {
 public:
  WorkspaceJobInputs(auth::Authenticator& auth, Variables& variables, Resources& resources,
                     Folders& folders)
      : auth_(auth), variables_(variables), resources_(resources), folders_(folders) {}
  Result<Prepared> prepare(const store::JobRecord& job) override;

 private:
  auth::Authenticator& auth_;
  Variables& variables_;
  Resources& resources_;
  Folders& folders_;
};

}  // namespace millrace::service
