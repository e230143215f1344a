// The module handlers, one per file of flow/modules/, as handler_for() finds them.
#pragma once

#include "flow/modules/module.h"

namespace millrace::flow {

const ModuleHandler& script_module();  // rawscript, script and flow
const ModuleHandler& identity_module();
const ModuleHandler& branchone_module();
const ModuleHandler& branchall_module();
const ModuleHandler& forloop_module();
const ModuleHandler& whileloop_module();

}  // namespace millrace::flow
