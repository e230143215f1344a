#include "runtime/sandbox.h"

#include <pwd.h>

#include <cstdlib>
#include <filesystem>

#include "sandbox/isolation.h"
#include "sandbox/root_template.h"

namespace millrace::runtime {

std::string Sandbox::runtime_dir() const {
  return isolation ? isolation->runtime_dir() : job_root + "/.runtime";
}

std::string Sandbox::runtime_dir_inside() const {
  return isolation ? std::string(sandbox::kRuntimeInside) : runtime_dir();
}

std::string prepare_job_root(const Sandbox& sandbox) {
  std::error_code ec;
  std::filesystem::create_directories(sandbox.job_root, ec);
  if (ec) return "cannot create the job folder root " + sandbox.job_root + ": " + ec.message();
  if (sandbox.user) {
    using std::filesystem::perms;
    std::filesystem::permissions(sandbox.job_root,
                                 perms::owner_all | perms::group_exec | perms::others_exec,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) return "cannot open " + sandbox.job_root + " to job processes: " + ec.message();
  }
  return "";
}

std::optional<JobUser> resolve_job_user(const std::string& name, bool server_is_root,
                                        std::string& error) {
  std::string wanted = name;
  if (wanted.empty()) {
    if (!server_is_root) return std::nullopt;
    wanted = "nobody";
  }
  if (wanted == "-") return std::nullopt;  // explicitly: the server's own user
  struct passwd* pw = getpwnam(wanted.c_str());
  if (!pw && !wanted.empty() && wanted.find_first_not_of("0123456789") == std::string::npos) {
    pw = getpwuid(static_cast<uid_t>(std::strtoul(wanted.c_str(), nullptr, 10)));
  }
  if (!pw) {
    error = "JOB_USER " + wanted +
            " does not exist (create it, or set JOB_USER=- to run jobs "
            "as the server's own user)";
    return std::nullopt;
  }
  return JobUser{pw->pw_uid, pw->pw_gid, pw->pw_name};
}

}  // namespace millrace::runtime
