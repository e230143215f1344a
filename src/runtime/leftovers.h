// Processes a crashed server left behind. A job's processes die with the server when they are
// its direct children (PR_SET_PDEATHSIG), but what they started in turn is re-parented and
// lives on; run again after a restart, the job would overlap with its own leftovers.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace millrace::runtime {

// Kills (SIGKILL) every process whose environment carries WM_JOB_ID=<one of job_ids>: every
// process of a job inherits it. Returns how many were killed.
size_t kill_leftover_job_processes(const std::vector<std::string>& job_ids);

}  // namespace millrace::runtime
