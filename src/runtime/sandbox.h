// Where and as whom jobs run. Sandboxed (the default as root): each job in a cell of the
// process's Isolation (sandbox/isolation.h), its own namespaces, uid and limits. Otherwise
// (JOB_SANDBOX=off, or a server that is not root) jobs run as a plain user (JOB_USER, `nobody`
// by default as root) with a folder in job_root.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace millrace::sandbox {
class Isolation;
}

namespace millrace::runtime {

struct JobUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

struct Sandbox {
  std::string job_root;                     // unsandboxed job folders are made here
  std::optional<JobUser> user;              // unsandboxed: nullopt runs as the server's user
  sandbox::Isolation* isolation = nullptr;  // set: jobs run sandboxed, in cells
  // Where the runtime wrappers are written, and the folder they are run from (inside a jail:
  // /opt/millrace).
  std::string runtime_dir() const;
  std::string runtime_dir_inside() const;
};

// Creates the job root. When jobs run as another user it is made searchable but not listable
// (0711): a job reaches its own folder (0700, its own) and sees no one else's name. Answers an
// error message, or empty.
std::string prepare_job_root(const Sandbox& sandbox);

// Resolves `name` (a user name or a numeric uid). Empty `name` means the server's own user,
// except for root, which gets `nobody`. nullopt with `error` set when the user does not exist.
std::optional<JobUser> resolve_job_user(const std::string& name, bool server_is_root,
                                        std::string& error);

}  // namespace millrace::runtime
