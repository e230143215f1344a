// Naming rules for what users name: script/flow paths and workspace ids.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "service/script_hash.h"

namespace millrace::api {

// ^[ufg](/[\w-]+){2,}$ — u/<user>/<name>, f/<folder>/<name>, g/<group>/<name>.
bool is_valid_script_path(std::string_view path);
// The 400 for a path that breaks that rule, saying the rule.
Error invalid_path_error(const std::string& path);
// ^\w+(-\w+)*$
bool is_valid_workspace_id(std::string_view id);
using service::is_valid_script_hash;  // 16 hex digits
// Windmill's language names; the ones this build can run are a subset (runtime::Runtimes).
bool is_known_language(std::string_view language);

}  // namespace millrace::api
