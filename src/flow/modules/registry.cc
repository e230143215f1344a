#include "flow/modules/registry.h"

namespace millrace::flow {

const ModuleHandler* handler_for(std::string_view type) {
  if (type == "rawscript" || type == "script" || type == "flow") return &script_module();
  if (type == "identity") return &identity_module();
  if (type == "branchone") return &branchone_module();
  if (type == "branchall") return &branchall_module();
  if (type == "forloopflow") return &forloop_module();
  if (type == "whileloopflow") return &whileloop_module();
  return nullptr;
}

}  // namespace millrace::flow
