// `millrace serve` (the API and the workers in one process), `millrace server` (the API only)
// and `millrace worker` (the workers only; the last two share a PostgreSQL database).
#pragma once

#include "common/config.h"

namespace millrace::cli {

int serve(const Config& config);

}  // namespace millrace::cli
