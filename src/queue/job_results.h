// The shapes of job outcomes that more than one layer writes or reads.
#pragma once

#include <string>

namespace millrace::queue {

// {"error": <error object>}: how a failed job's result is stored and answered.
std::string wrap_error(const std::string& error_object_json);
// The stored result of a canceled job.
std::string canceled_result(const std::string& reason, const std::string& canceler);

}  // namespace millrace::queue
