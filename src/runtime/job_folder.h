// A job's own working folder, removed with everything in it (never following a link) when the
// job ends. Sandboxed, it is a folder of the job's cell (sandbox/isolation.h), which the job
// sees as /job; unsandboxed, a folder (mode 0700) in the job root, seen at its own path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "runtime/sandbox.h"
#include "sandbox/jail.h"

namespace millrace::sandbox {
class Cell;
class CellFolder;
}  // namespace millrace::sandbox

namespace millrace::runtime {

class JobFolder {
 public:
  // The largest result.json / result.out read back from a job, unless told otherwise.
  static constexpr uint64_t kMaxOutputFileBytes = 64ull * 1024 * 1024;

  // A new folder, in `cell` when it is set, else in the sandbox's job root. Still the server's
  // until hand_over(): write the job's files first. With `shared_id` (the steps of a
  // same_worker flow), ./shared in it is the folder all the steps of that flow share.
  static std::optional<JobFolder> create(const Sandbox& sandbox, sandbox::Cell* cell,
                                         const std::string& job_id, std::string& error,
                                         const std::string& shared_id = "");
  // Removes the shared folder of a same_worker flow that has ended.
  static void remove_shared(const Sandbox& sandbox, const std::string& shared_id);
  ~JobFolder();
  JobFolder(JobFolder&& o) noexcept;
  JobFolder(const JobFolder&) = delete;
  JobFolder& operator=(const JobFolder&) = delete;

  const std::string& path() const { return path_; }      // where the server reaches it
  const std::string& inside() const { return inside_; }  // where the job sees it
  sandbox::Cell* cell() const { return cell_; }
  const sandbox::CellFolder* cell_folder() const { return cell_folder_.get(); }
  // Mounted in the job's jail after its folder (./shared).
  const std::vector<sandbox::Bind>& binds() const { return binds_; }
  // A new file (never an existing one, never through a link).
  bool write_file(const std::string& name, const std::string& content) const;
  // A new symbolic link `name` to `target` (a path as the job sees it).
  bool add_link(const std::string& name, const std::string& target) const;
  // Unsandboxed: gives the folder to the job user, if any. Answers an error message, or empty.
  std::string hand_over() const;
  // A file the job wrote: nullopt when absent; an error when it is not a regular file (a link,
  // a FIFO, a device) or is too large.
  Result<std::optional<std::string>> read_output(const std::string& name,
                                                 uint64_t max_bytes = kMaxOutputFileBytes) const;

 private:
  JobFolder() = default;
  std::string path_;
  std::string inside_;
  std::optional<JobUser> user_;
  sandbox::Cell* cell_ = nullptr;
  std::unique_ptr<sandbox::CellFolder> cell_folder_;
  std::vector<sandbox::Bind> binds_;
};

// Writes dir/name as a new file (never an existing one, never through a link).
bool write_new_file(const std::string& dir, const std::string& name, const std::string& content);

// Makes the folder `name` in `parent` for a job of `uid`, with the file `file_name` in it, and
// then gives the folder to `uid`. For a parent that processes of that uid may still change (a
// warm interpreter's /job): only descriptors are used, so that a link the job put in place of
// the new folder never leads the server elsewhere. Empty, or what failed.
// With `link_target`, the folder also holds a symbolic link `link_name` to it.
std::string make_job_subfolder(const std::string& parent, const std::string& name, uid_t uid,
                               const std::string& file_name, const std::string& content,
                               const std::string& link_name = "",
                               const std::string& link_target = "");

}  // namespace millrace::runtime
