// A job's own working folder (mode 0700), removed with everything in it when the job ends.
#pragma once

#include <optional>
#include <string>

#include "runtime/sandbox.h"

namespace millrace::runtime {

class JobFolder {
 public:
  // Creates <root>/<job_id>, owned by `user` when given; nullopt (with `error`) when it cannot.
  static std::optional<JobFolder> create(const Sandbox& sandbox, const std::string& job_id,
                                         std::string& error);
  ~JobFolder();
  JobFolder(JobFolder&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  JobFolder(const JobFolder&) = delete;
  JobFolder& operator=(const JobFolder&) = delete;

  const std::string& path() const { return path_; }
  bool write_file(const std::string& name, const std::string& content) const;
  // The file's content, or nullopt when absent.
  std::optional<std::string> read_file(const std::string& name) const;

 private:
  explicit JobFolder(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace millrace::runtime
