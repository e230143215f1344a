// `millrace serve`: the API, the workers and the embedded database in one process.
#pragma once

#include "common/config.h"

namespace millrace::cli {

int serve(const Config& config);

}  // namespace millrace::cli
