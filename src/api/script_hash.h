// A script version's id: a 64-bit keyed SipHash of what defines the version, printed as 16
// lowercase hex digits (Windmill's format; its exact values are not reproducible).
#pragma once

#include <string>

#include "store/scripts.h"

namespace millrace::api {

std::string compute_script_hash(const store::ScriptRecord& s);

}  // namespace millrace::api
