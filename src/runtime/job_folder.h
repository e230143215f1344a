// A job's own working folder (mode 0700), removed with everything in it when the job ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"
#include "runtime/sandbox.h"

namespace millrace::runtime {

class JobFolder {
 public:
  // The largest result.json / result.out read back from a job, unless told otherwise.
  static constexpr uint64_t kMaxOutputFileBytes = 64ull * 1024 * 1024;

  // Creates <root>/<job_id>, still the server's: write the job's files, then hand_over().
  // With `shared_id` (the steps of a same_worker flow), ./shared in it is the folder all the
  // steps of that flow run share, <root>/shared-<shared_id>.
  static std::optional<JobFolder> create(const Sandbox& sandbox, const std::string& job_id,
                                         std::string& error, const std::string& shared_id = "");
  // Removes the shared folder of a same_worker flow that has ended.
  static void remove_shared(const Sandbox& sandbox, const std::string& shared_id);
  ~JobFolder();
  JobFolder(JobFolder&& o) noexcept : path_(std::move(o.path_)), user_(std::move(o.user_)) {
    o.path_.clear();
  }
  JobFolder(const JobFolder&) = delete;
  JobFolder& operator=(const JobFolder&) = delete;

  const std::string& path() const { return path_; }
  // A new file (never an existing one, never through a link).
  bool write_file(const std::string& name, const std::string& content) const;
  // Gives the folder to the job user, if any. Answers an error message, or empty.
  std::string hand_over() const;
  // A file the job wrote: nullopt when absent; an error when it is not a regular file (a link,
  // a FIFO, a device) or is too large.
  Result<std::optional<std::string>> read_output(const std::string& name,
                                                 uint64_t max_bytes = kMaxOutputFileBytes) const;

 private:
  JobFolder(std::string path, std::optional<JobUser> user)
      : path_(std::move(path)), user_(std::move(user)) {}
  std::string path_;
  std::optional<JobUser> user_;
};

}  // namespace millrace::runtime
