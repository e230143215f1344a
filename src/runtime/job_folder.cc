#include "runtime/job_folder.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace millrace::runtime {

std::optional<JobFolder> JobFolder::create(const Sandbox& sandbox, const std::string& job_id,
                                           std::string& error) {
  const std::string& root = sandbox.job_root;
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  std::string path = root + "/" + job_id;
  std::filesystem::remove_all(path, ec);  // leftovers of an interrupted earlier attempt
  if (mkdir(path.c_str(), 0700) != 0) {
    error = "cannot create job folder " + path + ": " + strerror(errno);
    return std::nullopt;
  }
  if (sandbox.user && chown(path.c_str(), sandbox.user->uid, sandbox.user->gid) != 0) {
    error = "cannot give job folder " + path + " to " + sandbox.user->name + ": " + strerror(errno);
    std::filesystem::remove_all(path, ec);
    return std::nullopt;
  }
  return JobFolder(path);
}

JobFolder::~JobFolder() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool JobFolder::write_file(const std::string& name, const std::string& content) const {
  std::ofstream f(path_ + "/" + name, std::ios::binary | std::ios::trunc);
  f << content;
  return static_cast<bool>(f);
}

std::optional<std::string> JobFolder::read_file(const std::string& name) const {
  std::ifstream f(path_ + "/" + name, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace millrace::runtime
