// How much code one script may hold (SCRIPT_SIZE_LIMIT): a saved version or a preview over it
// is refused with 413 before anything is stored or run.
#pragma once

#include <string_view>

#include "common/config.h"
#include "common/error.h"

namespace millrace::api {

Status check_code_size(const Config& config, std::string_view content);

}  // namespace millrace::api
