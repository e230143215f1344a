// The flow engine's question "may the flow's user run what this step names?", answered with
// the rights of that user in the flow's workspace, as a webhook would answer them: a path they
// may not read is, to them, a path with nothing there.
#pragma once

#include "flow/step_access.h"

namespace millrace::auth {
class Authenticator;
}

namespace millrace::service {

class Folders;

class FlowStepAccess : public flow::StepAccess {
 public:
  FlowStepAccess(auth::Authenticator& auth, Folders& folders) : auth_(auth), folders_(folders) {}
  Status may_run(const store::JobRecord& flow, const std::string& kind,
                 const std::string& path) override;

 private:
  auth::Authenticator& auth_;
  Folders& folders_;
};

}  // namespace millrace::service
