// Webhook arguments checked against the runnable's schema: a missing required
// argument, or one of the wrong JSON type or outside its enum, is a 400 naming the argument
// and what it should be. An explicit null is given to the script as it is (Python's None).
// Arguments the schema does not declare are ignored, as Windmill does.
#pragma once

#include <string>

#include "common/error.h"

namespace millrace::api {

// `schema_json` is the script's or flow's schema (JSON Schema, Windmill's shape); `args_json`
// the job's arguments (a JSON object). No schema, or one without properties: anything goes.
// `check_types` false (Bash, which gets every argument as text): only presence is checked.
Status validate_args(const std::string& schema_json, const std::string& args_json,
                     bool check_types = true);

}  // namespace millrace::api
