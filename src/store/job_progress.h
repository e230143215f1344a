// How far a running job says it is (Windmill's job_metrics progress), in percent.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "store/connection.h"

namespace millrace::store {

// Progress never goes back: a lower value than the stored one is ignored.
Status raise_job_progress(Connection& c, const std::string& job_id, int64_t percent);
Result<std::optional<int64_t>> find_job_progress(Connection& c, const std::string& job_id);

}  // namespace millrace::store
