// A script version's id: a 64-bit keyed SipHash of what defines the version, printed as 16
// lowercase hex digits (Windmill's format; its exact values are not reproducible).
#pragma once

#include <string>
#include <string_view>

#include "store/scripts.h"

namespace millrace::service {

std::string compute_script_hash(const store::ScriptRecord& s);

// 16 hex digits, either case (how every script version's hash is printed).
bool is_valid_script_hash(std::string_view hash);

}  // namespace millrace::service
